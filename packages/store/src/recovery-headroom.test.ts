// The headroom against a real BullMQ worker on the test Redis: how many jobs it takes beside a
// full worker's own, that it never takes more than its cap in flight, and that the worker's
// graceful close waits for them.
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { RecoveryHeadroom } from './recovery-headroom.ts';
import { createRedis } from './redis.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('recovery-headroom');
const CONCURRENCY = 4;
let redis: Redis;

beforeAll(() => {
  redis = createRedis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A full worker (CONCURRENCY jobs held until `release`) with `queued` more jobs waiting. */
async function fullWorker(tag: string, queued: number) {
  const p = `${prefix}.${tag}`;
  const q = new Queue('reasoning', { connection: redis, prefix: p });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const started: string[] = [];
  const w = new Worker(
    'reasoning',
    async (job) => {
      started.push(job.id!);
      await gate;
      return job.id;
    },
    { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix: p, concurrency: CONCURRENCY },
  );
  for (let i = 0; i < CONCURRENCY + queued; i++) await q.add('j', { i }, { jobId: `${tag}-${i}` });
  for (let i = 0; i < 100 && started.length < CONCURRENCY; i++) await sleep(20);
  const active = () => redis.llen(`${p}:reasoning:active`);
  const stop = async () => {
    release();
    await w.close();
    await q.close();
  };
  return { w, started, release, active, stop, completed: () => q.getCompletedCount() };
}

describe('recovery headroom', () => {
  it('takes as many jobs as were moved back, at once, beside a full worker, up to its cap in flight', async () => {
    const f = await fullWorker('cap', 10);
    try {
      expect(f.started).toHaveLength(CONCURRENCY);
      const h = new RecoveryHeadroom(f.w, CONCURRENCY, { extraSlotsRatio: 1, windowMs: 0 });
      h.open(3);
      for (let i = 0; i < 50 && f.started.length < CONCURRENCY + 3; i++) await sleep(20);
      expect(f.started).toHaveLength(CONCURRENCY + 3);
      expect(h.extra).toBe(3);
      // A second move while those run: only up to the cap (CONCURRENCY × 1) more in flight.
      h.open(5);
      for (let i = 0; i < 50 && f.started.length < 2 * CONCURRENCY; i++) await sleep(20);
      await sleep(100);
      expect(f.started).toHaveLength(2 * CONCURRENCY);
      expect(await f.active()).toBe(2 * CONCURRENCY);
      // They end through BullMQ's own completion, and the count goes back down.
      f.release();
      await h.drained();
      expect(h.extra).toBe(0);
      for (let i = 0; i < 50 && (await f.completed()) < 2 * CONCURRENCY; i++) await sleep(20);
      expect(await f.completed()).toBeGreaterThanOrEqual(2 * CONCURRENCY);
    } finally {
      await f.stop();
    }
  });

  it('takes nothing with a ratio of 0, for no jobs, or once closed', async () => {
    const f = await fullWorker('off', 4);
    try {
      new RecoveryHeadroom(f.w, CONCURRENCY, { extraSlotsRatio: 0, windowMs: 0 }).open(5);
      const h = new RecoveryHeadroom(f.w, CONCURRENCY, { extraSlotsRatio: 1, windowMs: 0 });
      h.open(0);
      await h.close();
      h.open(3);
      await sleep(200);
      expect(f.started).toHaveLength(CONCURRENCY);
      expect(await f.active()).toBe(CONCURRENCY);
    } finally {
      await f.stop();
    }
  });
});
