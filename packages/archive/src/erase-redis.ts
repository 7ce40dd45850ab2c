// Erasure in Redis: everything that mentions one of the customer's ids goes — query and
// conversation records, traces, working memory, cached tool results, dedupe entries, BullMQ
// jobs, event-stream entries. Ids are collected first (the customer's conversations and
// queries), then every key of the deployment's prefix is swept once: a key whose name holds an
// id is deleted; a record (string, hash) whose content holds one is deleted; collections
// (list, set, sorted set, stream) lose only the members that hold one.
import type { Redis } from 'ioredis';
import type { Keys } from '@steward/store';

export interface RedisErasure {
  keysDeleted: number;
  membersRemoved: number;
}

const globEscape = (s: string): string => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

async function* scanKeys(redis: Redis, match: string, type?: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = type
      ? await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000, 'TYPE', type)
      : await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    if (keys.length) yield keys;
  } while (cursor !== '0');
}

/** Conversations and queries of `customerId` that Redis knows (some may never have reached the archive). */
export async function customerIdsInRedis(redis: Redis, keys: Keys, customerId: string): Promise<{ conversations: string[]; queries: string[] }> {
  const conversations = new Set<string>();
  const queries = new Set<string>();
  for await (const batch of scanKeys(redis, keys.scanPattern('conv'), 'hash')) {
    const owners = await Promise.all(batch.map((k) => redis.hget(k, 'customerId')));
    batch.forEach((k, i) => {
      const id = keys.conversationIdOf(k);
      if (owners[i] === customerId && id !== undefined) conversations.add(id);
    });
  }
  for await (const batch of scanKeys(redis, keys.scanPattern('q'), 'hash')) {
    const rows = await Promise.all(batch.map((k) => redis.hmget(k, 'customerId', 'queryId', 'conversationId')));
    for (const [cust, q, c] of rows) {
      if (cust === customerId && q) {
        queries.add(q);
        if (c) conversations.add(c);
      }
    }
  }
  for (const c of conversations) for (const q of await redis.lrange(keys.conversationQueries(c), 0, -1)) queries.add(q);
  return { conversations: [...conversations], queries: [...queries] };
}

export async function eraseFromRedis(redis: Redis, keys: Keys, needles: readonly string[]): Promise<RedisErasure> {
  const ids = needles.filter((n) => n.length >= 3);
  // Whole ids only: customer `li_1` must not take `li_10`'s keys, nor `api` every query record.
  const patterns = ids.map((n) => new RegExp(`(?<![A-Za-z0-9_])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`));
  const hit = (s: string): boolean => patterns.some((re) => re.test(s));
  const out: RedisErasure = { keysDeleted: 0, membersRemoved: 0 };
  if (ids.length === 0) return out;
  for await (const batch of scanKeys(redis, `${globEscape(keys.prefix)}*`)) {
    for (const key of batch) {
      if (hit(key)) {
        out.keysDeleted += await redis.del(key);
        continue;
      }
      const type = await redis.type(key);
      if (type === 'string') {
        const v = await redis.get(key);
        if (v !== null && hit(v)) out.keysDeleted += await redis.del(key);
      } else if (type === 'hash') {
        const h = await redis.hgetall(key);
        if (Object.entries(h).some(([f, v]) => hit(f) || hit(v))) out.keysDeleted += await redis.del(key);
      } else if (type === 'list') {
        for (const v of new Set((await redis.lrange(key, 0, -1)).filter(hit))) out.membersRemoved += await redis.lrem(key, 0, v);
      } else if (type === 'set') {
        const gone = (await redis.smembers(key)).filter(hit);
        if (gone.length) out.membersRemoved += await redis.srem(key, ...gone);
      } else if (type === 'zset') {
        const gone = (await redis.zrange(key, '0', '-1')).filter(hit);
        if (gone.length) out.membersRemoved += await redis.zrem(key, ...gone);
      } else if (type === 'stream') {
        out.membersRemoved += await eraseStreamEntries(redis, key, hit);
      }
    }
  }
  return out;
}

/** XDEL the entries of a stream whose fields mention an id, walking it in chunks. */
async function eraseStreamEntries(redis: Redis, key: string, hit: (s: string) => boolean): Promise<number> {
  let removed = 0;
  let start = '-';
  for (;;) {
    const rows = (await redis.xrange(key, start, '+', 'COUNT', 1000)) as [string, string[]][];
    if (rows.length === 0) break;
    const gone = rows.filter(([, fields]) => fields.some(hit)).map(([id]) => id);
    if (gone.length) removed += await redis.xdel(key, ...gone);
    if (rows.length < 1000) break;
    start = `(${rows.at(-1)![0]}`;
  }
  return removed;
}
