import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createKeys, createRedis } from '@steward/store';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { eraseFromRedis } from './erase-redis.ts';

// Real Redis: what the sweep removes and, as important, what it leaves.
const url = inject('redisUrl');
const prefix = uniquePrefix('erase');
const keys = createKeys(prefix);
let redis: Redis;

describe('eraseFromRedis', () => {
  beforeAll(() => {
    redis = createRedis(url);
  });
  afterAll(async () => {
    redis.disconnect();
    await deletePrefix(url, prefix);
  });

  it('deletes records and collection members that mention an id, as a whole id only', async () => {
    await redis.hset(keys.query('q_aaa111'), { queryId: 'q_aaa111', customerId: 'li_1', channel: 'api' });
    await redis.hset(keys.query('q_bbb222'), { queryId: 'q_bbb222', customerId: 'li_10', channel: 'api' });
    await redis.set(keys.cache('find_user_id_by_email', 'anon', 'h1'), '"li_1"');
    await redis.set(keys.cache('find_user_id_by_email', 'anon', 'h2'), '"li_10"');
    await redis.rpush(keys.conversationQueries('c_1'), 'q_aaa111', 'q_bbb222');
    await redis.zadd(keys.handoffs, 1, 'q_aaa111', 2, 'q_bbb222');
    await redis.xadd(keys.events, '*', 'e', JSON.stringify({ id: 'q_aaa111:accepted' }));
    await redis.xadd(keys.events, '*', 'e', JSON.stringify({ id: 'q_bbb222:accepted' }));
    await redis.hset(keys.metrics, 'queries_total', '2');

    const r = await eraseFromRedis(redis, keys, ['li_1', 'q_aaa111']);
    expect(r).toEqual({ keysDeleted: 2, membersRemoved: 3 });

    expect(await redis.exists(keys.query('q_aaa111'))).toBe(0);
    expect(await redis.hget(keys.query('q_bbb222'), 'customerId')).toBe('li_10');
    expect(await redis.get(keys.cache('find_user_id_by_email', 'anon', 'h2'))).toBe('"li_10"');
    expect(await redis.lrange(keys.conversationQueries('c_1'), 0, -1)).toEqual(['q_bbb222']);
    expect(await redis.zrange(keys.handoffs, '0', '-1')).toEqual(['q_bbb222']);
    expect((await redis.xrange(keys.events, '-', '+')).map(([, f]) => f[1])).toEqual([JSON.stringify({ id: 'q_bbb222:accepted' })]);
    expect(await redis.hget(keys.metrics, 'queries_total')).toBe('2');
  });
});
