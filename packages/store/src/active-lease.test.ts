// ACTIVE_REPLICAS against real BullMQ workers on the test Redis: with one active slot, of two
// workers of a queue only one takes its jobs; the standby takes over when the holder is closed
// (its slot given back) and when it stops renewing without a word (a killed process), within the
// lease; and a lease's key always has a TTL.
import { Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { ActiveLease } from './active-lease.ts';
import { createKeys } from './keys.ts';
import { createRedis } from './redis.ts';
import { startWorker } from './worker.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('active-lease');
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const LOCKS = { lockMs: 600, renewMs: 150, stalledIntervalMs: 100, activeReplicas: 1 };
let redis: Redis;

beforeAll(() => {
  redis = createRedis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond()) && Date.now() < end) await sleep(20);
}

/** A worker of `p`'s reasoning queue named `name`, recording which queries it ran. */
function worker(p: string, name: string, ran: Map<string, string>): Worker {
  return startWorker(
    'reasoning',
    async (data) => {
      ran.set(data.queryId, name);
      return 'ok';
    },
    { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix: p, concurrency: 4, log, jobLocks: LOCKS, worker: { name } },
  );
}

describe('active replicas (ACTIVE_REPLICAS)', () => {
  it('lets one of two workers take the jobs; the standby takes over once the holder closes', async () => {
    const p = `${prefix}.close`;
    const q = new Queue('reasoning', { connection: redis, prefix: p });
    const ran = new Map<string, string>();
    const a = worker(p, 'a', ran);
    await until(async () => (await redis.zcard(createKeys(p).activeWorkers('reasoning'))) === 1);
    const b = worker(p, 'b', ran);
    try {
      await sleep(LOCKS.renewMs * 3);
      for (let i = 0; i < 20; i++) await q.add('j', { queryId: `q_a${i}`, turn: 0 }, { jobId: `q_a${i}` });
      await until(() => ran.size === 20);
      expect(ran.size).toBe(20);
      expect(new Set(ran.values())).toEqual(new Set(['a']));
      expect(await redis.zrange(createKeys(p).activeWorkers('reasoning'), '0', '-1')).toEqual(['a']);

      await a.close();
      for (let i = 0; i < 5; i++) await q.add('j', { queryId: `q_b${i}`, turn: 0 }, { jobId: `q_b${i}` });
      await until(() => ran.size === 25);
      expect([...ran].filter(([id]) => id.startsWith('q_b')).map(([, by]) => by)).toEqual(['b', 'b', 'b', 'b', 'b']);
      const key = createKeys(p).activeWorkers('reasoning');
      expect(await redis.zrange(key, '0', '-1')).toEqual(['b']);
      // Bounded like every key: the holders' set expires unless renewed.
      expect(await redis.pttl(key)).toBeGreaterThan(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await q.close();
    }
  });

  it('gives a lapsed slot to a standby: a holder that stops renewing without a word (killed) loses it within the lease', async () => {
    const p = `${prefix}.kill`;
    const key = createKeys(p).activeWorkers('reasoning');
    // The "killed" holder: takes the slot once and never renews it (as a process killed -9).
    const dead = new ActiveLease(redis, key, 'dead', { slots: 1, leaseMs: LOCKS.lockMs, renewMs: 60_000 });
    await dead.acquired();
    expect(dead.holding).toBe(true);
    const q = new Queue('reasoning', { connection: redis, prefix: p });
    const ran = new Map<string, string>();
    const t0 = Date.now();
    const b = worker(p, 'b', ran);
    try {
      await q.add('j', { queryId: 'q_k', turn: 0 }, { jobId: 'q_k' });
      await until(() => ran.size === 1);
      const took = Date.now() - t0;
      expect(ran.get('q_k')).toBe('b');
      // Not before the dead holder's lease ran out, and within it plus a beat or so.
      expect(took).toBeGreaterThanOrEqual(LOCKS.lockMs - 100);
      expect(took).toBeLessThan(LOCKS.lockMs + 4 * LOCKS.renewMs + 1_000);
      expect(await redis.zrange(key, '0', '-1')).toEqual(['b']);
    } finally {
      await dead.release();
      await b.close();
      await q.close();
    }
  });

  it('holds at most `slots` holders, renews its own, and takes a freed slot back', async () => {
    const key = createKeys(`${prefix}.slots`).activeWorkers('tools');
    const o = { slots: 2, leaseMs: 5_000, renewMs: 50 };
    const [x, y, z] = ['x', 'y', 'z'].map((n) => new ActiveLease(redis, key, n, o));
    try {
      await Promise.all([x!.acquired(), y!.acquired()]);
      void z!.acquired();
      await sleep(200);
      expect(z!.holding).toBe(false);
      expect((await redis.zrange(key, '0', '-1')).sort()).toEqual(['x', 'y']);
      await x!.release();
      await z!.acquired();
      expect((await redis.zrange(key, '0', '-1')).sort()).toEqual(['y', 'z']);
    } finally {
      await Promise.all([x!.release(), y!.release(), z!.release()]);
    }
  });
});

describe('ActiveLease.release', () => {
  it('gives back a slot that a beat in flight took, and never lets a released standby start', async () => {
    const key = createKeys(`${prefix}.release`).activeWorkers('reasoning');
    const lease = new ActiveLease(redis, key, 'r', { slots: 1, leaseMs: 5_000, renewMs: 50 });
    let started = false;
    void lease.acquired().then(() => (started = true));
    // Released while its first beat is in flight (no await between): that beat takes the slot.
    await lease.release();
    await sleep(100);
    expect(await redis.zrange(key, '0', '-1')).toEqual([]);
    expect(lease.holding).toBe(false);
    expect(started).toBe(false);
  });
});
