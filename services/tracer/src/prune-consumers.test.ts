import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { pruneIdleConsumers } from './prune-consumers.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('prune');
const stream = `${prefix}:events`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

describe('pruneIdleConsumers', () => {
  it('removes idle consumers that hold nothing, never one with pending entries or itself', async () => {
    await redis.xadd(stream, '*', 'e', '{}');
    await redis.call('XGROUP', 'CREATE', stream, 'g', '0', 'MKSTREAM');
    await redis.call('XREADGROUP', 'GROUP', 'g', 'holder', 'COUNT', 1, 'STREAMS', stream, '>');
    await redis.call('XGROUP', 'CREATECONSUMER', stream, 'g', 'empty');
    await redis.call('XGROUP', 'CREATECONSUMER', stream, 'g', 'me');
    // idleMs 0: every consumer counts as idle, so only the pending rule and `self` protect.
    expect(await pruneIdleConsumers(redis, stream, 'g', 'me', 0)).toEqual(['empty']);
    const left = ((await redis.call('XINFO', 'CONSUMERS', stream, 'g')) as unknown[][]).map((c) => c[1]);
    expect(left.sort()).toEqual(['holder', 'me']);
    expect(await pruneIdleConsumers(redis, stream, 'g', 'me')).toEqual([]);
  });
});
