import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AnswerStreamMessage } from '@steward/core';
import { answerStreamFilter, type StreamDelta, type ToolCallStyle } from '@steward/llm';
import type { Keys, Log } from '@steward/store';

export interface AnswerPublisher {
  onAttempt: () => void;
  onDelta: (d: StreamDelta) => void;
  /** Withdraw what was shown (the turn did not end with an answer). */
  withdraw: () => void;
  /** Wait for the messages in flight; publishing never fails the turn. */
  flush: () => Promise<void>;
}

/**
 * Publishes the answer's text on the query's live channel as the model writes it. Best effort:
 * a lost message only means the client waits for the committed answer.
 */
export function answerPublisher(o: { redis: Redis; keys: Keys; log: Log; queryId: string; turn: number; style: ToolCallStyle; now?: () => number }): AnswerPublisher {
  const now = o.now ?? Date.now;
  const channel = o.keys.queryChannel(o.queryId);
  const pending: Promise<unknown>[] = [];
  let streamId = '';
  let startedMs = 0;
  let offset = 0;
  let feed: (d: StreamDelta) => void = () => {};

  const publish = (type: AnswerStreamMessage['type'], text: string) => {
    const msg: AnswerStreamMessage = { type, queryId: o.queryId, turn: o.turn, streamId, startedMs, offset, text };
    pending.push(o.redis.publish(channel, JSON.stringify(msg)).catch((e: unknown) => o.log.warn({ queryId: o.queryId, err: (e as Error).message }, 'answer stream publish failed')));
  };
  const start = () => {
    streamId = randomUUID();
    startedMs = now();
    offset = 0;
    feed = answerStreamFilter(o.style, (e) => {
      if (e.kind === 'reset') {
        publish('answer.reset', '');
        offset = 0;
        return;
      }
      publish('answer.delta', e.text);
      offset += e.text.length;
    });
  };
  return {
    onAttempt: start,
    onDelta: (d) => feed(d),
    withdraw: () => {
      if (offset > 0) publish('answer.reset', '');
      offset = 0;
    },
    flush: async () => {
      await Promise.all(pending);
    },
  };
}
