// Watches the event stream for `query.completed` and wakes the conversation waiting on that
// query. Reading the stream (not polling GET /v1/queries) keeps 500 waiting conversations from
// loading the ingress, and counts every completion event, so a second answer to the same query
// is seen. It survives a Redis restart: it reconnects and reads on from the last id it saw.
import { Redis } from 'ioredis';
import type { QueryCompletedEventData } from '@steward/core';

export interface Completion {
  queryId: string;
  /** Wall-clock ms at which the watcher read the event (client side). */
  seenMs: number;
  ts: number;
  data: QueryCompletedEventData;
}

export class CompletionWatcher {
  /** Every completion event seen, by query (more than one = a duplicate answer). */
  readonly completions = new Map<string, Completion[]>();
  private readonly waiters = new Map<string, (c: Completion) => void>();
  private readonly redis: Redis;
  private readonly key: string;
  private lastId = '$';
  private running = true;
  private loop: Promise<void> | undefined;

  constructor(redisUrl: string, prefix: string) {
    // No offline queue, few retries: during an outage the loop waits and tries again itself.
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => 200 });
    this.redis.on('error', () => undefined);
    this.key = `${prefix}:events`;
  }

  async start(): Promise<void> {
    await this.redis.connect();
    const last = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', 1);
    this.lastId = last[0]?.[0] ?? '0-0';
    this.loop = this.run();
  }

  /** Resolves with the query's first completion, or undefined after `timeoutMs`. */
  wait(queryId: string, timeoutMs: number): Promise<Completion | undefined> {
    const seen = this.completions.get(queryId)?.[0];
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiters.delete(queryId);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(queryId, (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      let res: [string, [string, string[]][]][] | null;
      try {
        res = (await this.redis.xread('COUNT', 1000, 'BLOCK', 500, 'STREAMS', this.key, this.lastId));
      } catch {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for (const [, entries] of res ?? []) {
        for (const [id, fields] of entries) {
          this.lastId = id;
          const json = fields[1];
          if (json === undefined || !json.includes('"query.completed"')) continue;
          const e = JSON.parse(json) as { type: string; queryId?: string; ts: number; data: QueryCompletedEventData };
          if (e.type !== 'query.completed' || !e.queryId) continue;
          const c: Completion = { queryId: e.queryId, seenMs: Date.now(), ts: e.ts, data: e.data };
          const list = this.completions.get(e.queryId) ?? [];
          list.push(c);
          this.completions.set(e.queryId, list);
          this.waiters.get(e.queryId)?.(c);
          this.waiters.delete(e.queryId);
        }
      }
    }
  }

  /** Queries with more than one completion event. */
  duplicates(): number {
    let n = 0;
    for (const list of this.completions.values()) if (list.length > 1) n += list.length - 1;
    return n;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.redis.disconnect();
  }
}
