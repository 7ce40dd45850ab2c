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
  /**
   * The stream is over (the model call returned): the last messages (the buffered text, or the
   * reset when `withdrawn`) are handed back as JSON instead of published, for the script the
   * turn sends next to publish them ahead of its event (one PUBLISH round trip less per call);
   * `sent` settles once the messages already published are answered.
   */
  finish: (withdrawn: boolean) => { messages: string[]; sent: Promise<void> };
}

/**
 * Publishes the answer's text on the query's live channel as the model writes it. Best effort:
 * a lost message only means the client waits for the committed answer.
 *
 * Deltas that arrive in the same turn of the event loop go out as one message: a response read
 * in one network read yields dozens of deltas at once, and each used to be its own PUBLISH
 * (~50 per query in the load benchmark). Nothing waits longer than the current turn.
 */
export function answerPublisher(o: { redis: Redis; keys: Keys; log: Log; queryId: string; turn: number; style: ToolCallStyle; now?: () => number }): AnswerPublisher {
  const now = o.now ?? Date.now;
  const channel = o.keys.queryChannel(o.queryId);
  const pending: Promise<unknown>[] = [];
  let streamId = '';
  let startedMs = 0;
  /** Characters of this stream published so far; the buffer starts there. */
  let offset = 0;
  let buffered = '';
  let scheduled = false;
  let feed: (d: StreamDelta) => void = () => {};
  /** Set by finish: messages are collected here for the caller's script, not published. */
  let held: string[] | undefined;

  const send = (json: string) => {
    pending.push(o.redis.publish(channel, json).catch((e: unknown) => o.log.warn({ queryId: o.queryId, err: (e as Error).message }, 'answer stream publish failed')));
  };
  const publish = (type: AnswerStreamMessage['type'], text: string) => {
    const json = JSON.stringify({ type, queryId: o.queryId, turn: o.turn, streamId, startedMs, offset, text } satisfies AnswerStreamMessage);
    if (held) held.push(json);
    else send(json);
  };
  const sendBuffered = () => {
    scheduled = false;
    if (!buffered) return;
    publish('answer.delta', buffered);
    offset += buffered.length;
    buffered = '';
  };
  // Text still buffered when the reply turns into tool calls never left this process: it is
  // dropped, not published and withdrawn in the same breath (two PUBLISHes per tool-call turn
  // whose thought streamed in one network read). A reset goes out only for text a client got.
  const withdraw = () => {
    buffered = '';
    if (offset > 0) publish('answer.reset', '');
    offset = 0;
  };
  const start = () => {
    // What the previous attempt wrote this turn still goes out under its own stream id.
    sendBuffered();
    streamId = randomUUID();
    startedMs = now();
    offset = 0;
    feed = answerStreamFilter(o.style, (e) => {
      if (e.kind === 'reset') return withdraw();
      buffered += e.text;
      if (!scheduled) {
        scheduled = true;
        setImmediate(sendBuffered);
      }
    });
  };
  return {
    onAttempt: start,
    onDelta: (d) => feed(d),
    withdraw,
    flush: async () => {
      sendBuffered();
      await Promise.all(pending);
    },
    finish: (withdrawn) => {
      const messages: string[] = [];
      held = messages;
      if (withdrawn) withdraw();
      else sendBuffered();
      return { messages, sent: Promise.all(pending).then(() => undefined) };
    },
  };
}
