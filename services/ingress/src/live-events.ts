import type { Redis } from 'ioredis';
import type { Keys } from '@steward/store';

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
    return this.watchChannel(this.keys.queryChannel(queryId), listener);
  }

  /** Any channel of this deployment, e.g. the inbox's `handoffLive`. */
  async watchChannel(ch: string, listener: Listener): Promise<() => Promise<void>> {
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
