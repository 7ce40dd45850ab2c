// How often the lock keeper renews a running job's lock with the deployed settings, seen from the
// lock itself: each renewal reads the lock of every job its worker holds (and, when a job may be
// unreported, of every job in the queue's active list: ADR 0033), so its rate is Redis work that
// grows with the jobs in flight (issue 17). Renewed every renewMs (500 ms), the lock never gets
// closer to running out than lockMs − renewMs (plus the thread's lag).
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULTS } from '@steward/core';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { Queue } from 'bullmq';
import { createRedis } from './redis.ts';
import { startWorker } from './worker.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('lock-cadence');
const WATCH_MS = 3_000;
/** Renewals of one lock per second that the deployed settings may cost Redis. */
const MAX_RENEWALS_PER_SEC = 2;
let redis: Redis;
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(() => {
  redis = createRedis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

describe('lock renewal cadence (deployed settings)', () => {
  it(`renews a running job's lock at most ${MAX_RENEWALS_PER_SEC} times a second, never letting it near expiry`, async () => {
    const { lockMs, renewMs } = DEFAULTS.jobLocks;
    const queue = 'reasoning';
    const jobId = 'q_cadence:t0:reason';
    const lockKey = `${prefix}:${queue}:${jobId}:lock`;
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let started: () => void = () => undefined;
    const isStarted = new Promise<void>((r) => (started = r));
    const q = new Queue(queue, { connection: redis, prefix });
    const worker = startWorker(
      queue,
      async () => {
        started();
        await held;
        return 'done';
      },
      { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix, concurrency: 1, log },
    );
    try {
      await q.add('j', { queryId: 'q_cadence', turn: 0 }, { jobId });
      await isStarted;
      // The lock's remaining time, sampled every 10 ms: a renewal shows as a jump back up.
      const ttls: number[] = [];
      const until = Date.now() + WATCH_MS;
      while (Date.now() < until) {
        ttls.push(await redis.pttl(lockKey));
        await new Promise((r) => setTimeout(r, 10));
      }
      release();
      const renewals = ttls.slice(1).filter((t, i) => t - ttls[i]! > 50).length;
      expect(renewals).toBeGreaterThanOrEqual(Math.floor(WATCH_MS / renewMs) - 2);
      // The budget: at most two renewals a second (the previous 250 ms showed ~12 in 3 s).
      expect(renewals).toBeLessThanOrEqual((WATCH_MS / 1000) * MAX_RENEWALS_PER_SEC + 1);
      // Held all along, with lockMs − renewMs to spare less a loaded machine's lag (300 ms).
      expect(Math.min(...ttls)).toBeGreaterThan(lockMs - renewMs - 300);
    } finally {
      release();
      await worker.close();
      await q.close();
    }
  }, 30_000);
});
