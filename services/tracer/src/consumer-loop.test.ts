import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createKeys, createRedis } from '@steward/store';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createLogger } from '@steward/telemetry';
import { startConsumerLoop } from './consumer-loop.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('consumer-loop');
const log = createLogger({ service: 'consumer-loop-test', level: 'silent' });
let redis: Redis;

beforeAll(() => {
  redis = createRedis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

describe('consumer loop with a minimum batch interval', () => {
  it('gathers entries that arrive one by one into a few batches, acks all, and closes promptly', async () => {
    const stream = createKeys(prefix).events;
    const batches: number[] = [];
    const loop = await startConsumerLoop({
      redisUrl: url,
      stream,
      group: 'g',
      consumerName: 'c1',
      batchSize: 100,
      claimIdleMs: 30_000,
      blockMs: 200,
      log,
      minBatchIntervalMs: 400,
      handle: async (entries, r) => {
        batches.push(entries.length);
        await r.xack(stream, 'g', ...entries.map((e) => e.entryId));
      },
    });
    for (let i = 0; i < 12; i++) {
      await redis.xadd(stream, '*', 'event', JSON.stringify({ i }));
      await new Promise((r) => setTimeout(r, 50));
    }
    const deadline = Date.now() + 5_000;
    while (batches.reduce((a, b) => a + b, 0) < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(batches.reduce((a, b) => a + b, 0)).toBe(12);
    // 12 entries over ~600 ms with reads at most every 400 ms: a handful of batches, not 12.
    expect(batches.length).toBeLessThanOrEqual(4);
    expect((await redis.xpending(stream, 'g'))[0]).toBe(0);
    const t0 = Date.now();
    await loop.close();
    expect(Date.now() - t0).toBeLessThan(1_000);
  });
});
