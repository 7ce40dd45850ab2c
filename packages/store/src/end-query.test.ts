// A query's ending withdraws its deadline job, against a real Redis and real BullMQ queues: the
// job is gone from the control queue (never fetched, run or kept), a second ending is harmless,
// and a deadline job already running is left to finish.
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jobIds } from '@steward/core';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { endQuery } from './end-query.ts';
import { acceptMessage, type IntakeDeps } from './intake.ts';
import { createKeys } from './keys.ts';
import { Outbox } from './outbox.ts';
import { QueryStore } from './queries.ts';
import { createQueues, type Queues } from './queues.ts';
import { createRedis } from './redis.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('end-query');
const keys = createKeys(prefix);
let redis: Redis;
let queues: Queues;
let deps: IntakeDeps;
let outbox: Outbox;

beforeAll(() => {
  redis = createRedis(url);
  queues = createQueues(redis, prefix);
  deps = { redis, keys, queries: new QueryStore(redis, keys), queues, deadlineMs: 30_000 };
  outbox = new Outbox(redis, keys, queues);
});
afterAll(async () => {
  await queues.close();
  await deletePrefix(url, prefix);
  redis.disconnect();
});

const ANSWERED = { outcome: 'answered', reason: 'answered', state: 'completed', answer: 'On its way.' } as const;

async function started(conversationId: string, d: IntakeDeps = deps): Promise<string> {
  const r = await acceptMessage(d, { channel: 'api', text: 'where is my order #W1234567', conversationId }, { sender: { principal: 'api' } });
  if (!r.ok) throw new Error('refused');
  return r.queryId;
}

describe('endQuery and the deadline job', () => {
  it('withdraws the waiting deadline job: nothing of it is left in the control queue', async () => {
    const queryId = await started('c_end');
    const deadline = jobIds.deadline(queryId);
    expect(await queues.control.getJobState(deadline)).toBe('delayed');
    const q = (await deps.queries.get(queryId))!;
    expect((await endQuery({ queries: deps.queries, outbox }, q, ANSWERED)).applied).toBe(true);
    expect((await deps.queries.get(queryId))?.status).toBe('completed');
    expect(await queues.control.getJob(deadline)).toBeUndefined();
    expect(await redis.exists(`${prefix}:control:${deadline}`)).toBe(0);
    expect(await redis.zscore(`${prefix}:control:delayed`, deadline)).toBeNull();
    expect(await redis.zscore(`${prefix}:control:completed`, deadline)).toBeNull();
    // An ending that finds the query ended already (a redelivered step) applies nothing and does not fail.
    expect((await endQuery({ queries: deps.queries, outbox }, q, ANSWERED)).applied).toBe(false);
  });

  it('leaves a deadline job that is already running to finish (its lock holds it)', async () => {
    // A deadline that is due at once, so a worker can take its job before the query ends.
    const queryId = await started('c_running', { ...deps, deadlineMs: 1 });
    const deadline = jobIds.deadline(queryId);
    const worker = new Worker('control', null, { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix, autorun: false, skipStalledCheck: true });
    try {
      await new Promise((r) => setTimeout(r, 50));
      let job = await worker.getNextJob('tok', { block: false });
      // The start's other job (turn 0) is in another queue; the control queue has only deadline jobs.
      while (job && job.id !== deadline) job = await worker.getNextJob('tok', { block: false });
      expect(job?.id).toBe(deadline);
      const q = (await deps.queries.get(queryId))!;
      expect((await endQuery({ queries: deps.queries, outbox }, q, ANSWERED)).applied).toBe(true);
      expect(await queues.control.getJobState(deadline)).toBe('active');
      await job.moveToCompleted('nothing to do', 'tok', false);
      expect(await queues.control.getJobState(deadline)).toBe('completed');
    } finally {
      await worker.close();
    }
  });
});
