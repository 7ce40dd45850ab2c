// Every key under a deployment's prefix, grouped by kind, with its memory (MEMORY USAGE) and
// remaining TTL: what the retention benchmark scales to a day's volume. A kind is the key's
// namespace (keys.ts) with the id left out; BullMQ's keys are split into job hashes and the
// queue's own structures.
import type { Redis } from 'ioredis';
import { QUEUES } from '@steward/core';

export interface KindCensus {
  kind: string;
  keys: number;
  bytes: number;
  /** Keys without a TTL. */
  persistent: number;
  /** Largest remaining TTL seen, seconds (0 when none has one). */
  maxTtlSec: number;
  /** Σ bytes × remaining TTL (s) over the keys with a TTL: a kind mixing TTLs is held for their byte-weighted mean. */
  byteSeconds: number;
  /** Entries of streams of this kind (XLEN), for kinds bounded by length rather than time. */
  streamEntries: number;
}

const QUEUE_NAMES = new Set<string>(Object.values(QUEUES));
/** BullMQ's per-queue structures (everything else under a queue's name is a job). */
const BULL_SINGLETONS = new Set(['wait', 'active', 'paused', 'completed', 'failed', 'delayed', 'prioritized', 'stalled', 'stalled-check', 'meta', 'id', 'events', 'marker', 'pc', 'limiter', 'de', 'repeat', 'waiting-children', 'metrics']);

export function kindOf(prefix: string, key: string, type: string): string {
  const rest = key.slice(prefix.length + 1);
  const parts = rest.split(':');
  const first = parts[0] ?? '';
  if (QUEUE_NAMES.has(first)) {
    const second = parts[1] ?? '';
    if (parts.length === 2 && BULL_SINGLETONS.has(second)) return `bullmq ${first}:${second}`;
    if (rest.endsWith(':lock')) return `bullmq ${first} job lock`;
    if (rest.endsWith(':logs')) return `bullmq ${first} job logs`;
    return type === 'hash' ? `bullmq ${first} job` : `bullmq ${first} ${type}`;
  }
  // Kinds whose second segment is an id: the kind is the first segment plus any suffix after the id.
  if (['q', 'qev', 'conv', 'hrec'].includes(first) && parts.length >= 2) return [first, ...parts.slice(2)].join(':');
  if (first === 'dag') return 'dag';
  // The cost ledger's entries (per query, conversation, customer-day, seen call) have different TTLs.
  if (first === 'cost') return `cost:${parts[1] ?? ''}`;
  return first;
}

export async function keyCensus(redis: Redis, prefix: string): Promise<KindCensus[]> {
  const kinds = new Map<string, KindCensus>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const m = redis.pipeline();
    for (const k of keys) m.type(k).pttl(k).memory('USAGE', k, 'SAMPLES', 0);
    const res = (await m.exec()) ?? [];
    for (const [i, k] of keys.entries()) {
      const type = typeof res[i * 3]?.[1] === 'string' ? (res[i * 3]![1] as string) : '';
      const pttl = Number(res[i * 3 + 1]?.[1] ?? -2);
      const bytes = Number(res[i * 3 + 2]?.[1] ?? 0);
      if (pttl === -2) continue;
      const kind = kindOf(prefix, k, type);
      const c = kinds.get(kind) ?? { kind, keys: 0, bytes: 0, persistent: 0, maxTtlSec: 0, byteSeconds: 0, streamEntries: 0 };
      c.keys++;
      c.bytes += bytes;
      if (pttl === -1) c.persistent++;
      else {
        c.maxTtlSec = Math.max(c.maxTtlSec, Math.ceil(pttl / 1000));
        c.byteSeconds += (bytes * pttl) / 1000;
      }
      if (type === 'stream') c.streamEntries += await redis.xlen(k);
      kinds.set(kind, c);
    }
  } while (cursor !== '0');
  return [...kinds.values()].sort((a, b) => b.bytes - a.bytes);
}
