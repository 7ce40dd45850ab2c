// When a tool turn's observe step has ended, seen from what the pipeline writes anyway: the
// step's commit relays the next turn's reasoning job (BullMQ writes `added` to the reasoning
// queue's event stream) or, when the step ended the query, the completion writes
// `query.completed` to the fleet's event stream. One blocking XREAD over both streams on a
// connection of its own: the DAG bench used to poll the query record every 2 ms in the process
// it measures, which cost that process CPU and added up to a poll interval to every figure.
import type { Redis } from 'ioredis';
import { jobIds } from '@steward/core';
import { createKeys, createRedis } from '@steward/store';

export interface TurnDone {
  /** The moment Redis appended the entry (its stream id's time), not when this process woke up. */
  atMs: number;
  /** When this process read it (atMs + the harness's own wake-up). */
  seenMs: number;
  how: 'next_turn' | 'completed';
}

interface Waiter {
  resolve(d: TurnDone): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** Entries seen before anyone waited for them (the wait registered late): kept, bounded. */
const EARLY_MAX = 10_000;
const BLOCK_MS = 1_000;

export class TurnDoneWatcher {
  private readonly waiters = new Map<string, Waiter>();
  private readonly early = new Map<string, TurnDone>();
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  private readonly redis: Redis;
  /** The reasoning queue's BullMQ event stream, then the fleet's event stream. */
  private readonly streams: [string, string];
  private readonly cursors: [string, string];

  private constructor(redis: Redis, streams: [string, string], cursors: [string, string]) {
    this.redis = redis;
    this.streams = streams;
    this.cursors = cursors;
  }

  /** Starts reading after the streams' current ends: only entries written from now on count. */
  static async start(redisUrl: string, prefix: string): Promise<TurnDoneWatcher> {
    const redis = createRedis(redisUrl);
    // The BullMQ queue `reasoning` with this prefix (createQueues), and the events stream (keys.ts).
    const streams: [string, string] = [`${prefix}:reasoning:events`, createKeys(prefix).events];
    const ends = await Promise.all(streams.map(async (s) => (await redis.xrevrange(s, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0'));
    const w = new TurnDoneWatcher(redis, streams, [ends[0]!, ends[1]!]);
    w.loop = w.read();
    return w;
  }

  /** Resolves when turn `turn` of the query has been observed (next turn queued, or the query ended). */
  wait(queryId: string, turn: number, timeoutMs = 30_000): Promise<TurnDone> {
    const next = keyOfNext(queryId, turn);
    const ended = keyOfEnd(queryId);
    const seen = this.early.get(next) ?? this.early.get(ended);
    if (seen) {
      this.early.delete(next);
      this.early.delete(ended);
      return Promise.resolve(seen);
    }
    return new Promise<TurnDone>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(next);
        this.waiters.delete(ended);
        reject(new Error(`turn ${turn} of ${queryId} was not observed within ${timeoutMs} ms`));
      }, timeoutMs);
      const w: Waiter = {
        resolve: (d) => {
          clearTimeout(timer);
          this.waiters.delete(next);
          this.waiters.delete(ended);
          resolve(d);
        },
        reject,
        timer,
      };
      this.waiters.set(next, w);
      this.waiters.set(ended, w);
    });
  }

  async close(): Promise<void> {
    this.stopped = true;
    // The blocked XREAD returns within BLOCK_MS; waiting for it keeps the connection's close clean.
    await this.loop;
    this.redis.disconnect();
    for (const w of new Set(this.waiters.values())) {
      clearTimeout(w.timer);
      w.reject(new Error('watcher closed'));
    }
    this.waiters.clear();
  }

  private async read(): Promise<void> {
    while (!this.stopped) {
      const reply = await this.redis.xread('COUNT', 500, 'BLOCK', BLOCK_MS, 'STREAMS', ...this.streams, ...this.cursors);
      const seenMs = Date.now();
      for (const [stream, entries] of reply ?? []) {
        const i = stream === this.streams[0] ? 0 : 1;
        for (const [id, fields] of entries) {
          this.cursors[i] = id;
          const key = i === 0 ? nextTurnKey(fields) : endKey(fields);
          if (key) this.settle(key, { atMs: Number(id.slice(0, id.indexOf('-'))), seenMs, how: i === 0 ? 'next_turn' : 'completed' });
        }
      }
    }
  }

  private settle(key: string, d: TurnDone): void {
    const w = this.waiters.get(key);
    if (w) return w.resolve(d);
    if (this.early.size >= EARLY_MAX) this.early.delete(this.early.keys().next().value!);
    this.early.set(key, d);
  }
}

const keyOfNext = (queryId: string, turn: number) => `job:${jobIds.reason(queryId, turn + 1)}`;
const keyOfEnd = (queryId: string) => `end:${queryId}`;

/** BullMQ's entry for a job added to the reasoning queue: event, added, jobId, <id>, … */
function nextTurnKey(fields: string[]): string | undefined {
  if (fieldOf(fields, 'event') !== 'added') return undefined;
  const id = fieldOf(fields, 'jobId');
  return id ? `job:${id}` : undefined;
}

/** A fleet event `query.completed` (field e: the event's JSON); other events are skipped unparsed. */
function endKey(fields: string[]): string | undefined {
  const e = fieldOf(fields, 'e');
  if (!e?.includes('"query.completed"')) return undefined;
  const { type, queryId } = JSON.parse(e) as { type?: string; queryId?: string };
  return type === 'query.completed' && queryId ? keyOfEnd(queryId) : undefined;
}

function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
