import type { Redis } from 'ioredis';
import type { Keys } from '@steward/store';
import { AnswerStreamMessage, StewardEvent } from '@steward/core';

/** What arrives on a query's live channel: a durable event, or a piece of the answer being written. */
export type LiveMessage = { kind: 'event'; event: StewardEvent } | { kind: 'answer'; message: AnswerStreamMessage } | { kind: 'unknown' };

export function readLiveMessage(json: string): LiveMessage {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return { kind: 'unknown' };
  }
  const a = AnswerStreamMessage.safeParse(v);
  if (a.success) return { kind: 'answer', message: a.data };
  const e = StewardEvent.safeParse(v);
  return e.success ? { kind: 'event', event: e.data } : { kind: 'unknown' };
}

/**
 * One SSE frame for a piece of the answer. No `id:` line: answer pieces are not replayed (the
 * committed answer arrives with `query.completed`), so a reconnecting client must not resume from one.
 */
export function answerFrame(m: AnswerStreamMessage): string {
  const { type, queryId: _q, ...data } = m;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

type Listener = (json: string) => void;

/**
 * One Redis subscriber per ingress process, fanned out to every SSE client watching a query:
 * a thousand watchers cost one connection, not a thousand.
 */
export class LiveEvents {
  private readonly sub: Redis;
  private readonly keys: Keys;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(sub: Redis, keys: Keys) {
    this.sub = sub;
    this.keys = keys;
    sub.on('message', (channel: string, message: string) => {
      for (const l of this.listeners.get(channel) ?? []) l(message);
    });
  }

  async watch(queryId: string, listener: Listener): Promise<() => Promise<void>> {
    const ch = this.keys.queryChannel(queryId);
    let set = this.listeners.get(ch);
    if (!set) {
      set = new Set();
      this.listeners.set(ch, set);
      await this.sub.subscribe(ch);
    }
    set.add(listener);
    return async () => {
      const s = this.listeners.get(ch);
      s?.delete(listener);
      if (s && s.size === 0) {
        this.listeners.delete(ch);
        await this.sub.unsubscribe(ch);
      }
    };
  }
}
