import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { createRedis } from './redis.ts';
import { QueryStore } from './queries.ts';
import { loadTurn } from './turn-state.ts';
import { isWatched, markWatched, WATCH_MARK_MS } from './watched.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('watched');
const keys = createKeys(prefix);
let redis: Redis;
let queries: QueryStore;

beforeAll(() => {
  redis = createRedis(url);
  queries = new QueryStore(redis, keys);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

async function accepted(queryId: string, conversationId: string): Promise<void> {
  await queries.accept({ queryId, conversationId, channel: 'api', text: 'where is my order #W1234567', language: 'en', traceId: 'c'.repeat(32), createdMs: 1000 }, 30_000, 2_000);
}

describe('the watched mark', () => {
  it('is read with the turn: unwatched until marked, watched for WATCH_MARK_MS after', async () => {
    await accepted('q_w1', 'c_w1');
    const before = await loadTurn({ redis, keys }, 'q_w1');
    expect(before!.conversation.watchedUntil).toBe(0);
    expect(isWatched(before!.conversation)).toBe(false);

    const now = Date.now();
    expect(await markWatched(redis, keys, 'c_w1', now)).toBe(true);
    const after = await loadTurn({ redis, keys }, 'q_w1');
    expect(after!.conversation.watchedUntil).toBe(now + WATCH_MARK_MS);
    expect(isWatched(after!.conversation, now + WATCH_MARK_MS - 1)).toBe(true);
    expect(isWatched(after!.conversation, now + WATCH_MARK_MS)).toBe(false);
  });

  it('never moves back, and keeps the conversation TTL as it was', async () => {
    await accepted('q_w2', 'c_w2');
    const ttl = await redis.pttl(keys.conversation('c_w2'));
    expect(ttl).toBeGreaterThan(0);
    const now = Date.now();
    expect(await markWatched(redis, keys, 'c_w2', now)).toBe(true);
    expect(await markWatched(redis, keys, 'c_w2', now - 5_000)).toBe(false);
    expect(Number(await redis.hget(keys.conversation('c_w2'), 'watchedUntil'))).toBe(now + WATCH_MARK_MS);
    expect(await redis.pttl(keys.conversation('c_w2'))).toBeLessThanOrEqual(ttl);
    expect(await redis.pttl(keys.conversation('c_w2'))).toBeGreaterThan(0);
  });

  it('does not create a conversation that does not exist (a hash without its TTL)', async () => {
    expect(await markWatched(redis, keys, 'c_missing')).toBe(false);
    expect(await redis.exists(keys.conversation('c_missing'))).toBe(0);
  });
});
