// A query's start and ending against a real Redis and real BullMQ queues: the deadline lives in
// the `deadlines` set only (ADR 0027), so starting a query puts nothing in the control queue, the
// ending removes the set's entry, and a second ending is harmless.
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

describe('endQuery and the query deadline', () => {
  it('a started query has its deadline in the deadlines set and no job in the control queue; the ending removes the entry', async () => {
    const queryId = await started('c_end');
    const q = (await deps.queries.get(queryId))!;
    expect(await redis.zscore(keys.deadlines, queryId)).toBe(String(q.deadlineAtMs));
    expect(await queues.control.getJob(jobIds.deadline(queryId))).toBeUndefined();
    expect(await queues.control.getJobCounts('delayed', 'wait', 'active')).toEqual({ delayed: 0, wait: 0, active: 0 });
    expect((await endQuery({ queries: deps.queries, outbox }, q, ANSWERED)).applied).toBe(true);
    expect((await deps.queries.get(queryId))?.status).toBe('completed');
    expect(await redis.zscore(keys.deadlines, queryId)).toBeNull();
    // An ending that finds the query ended already (a redelivered step) applies nothing and does not fail.
    expect((await endQuery({ queries: deps.queries, outbox }, q, ANSWERED)).applied).toBe(false);
    expect(await queues.control.getJobCounts('delayed', 'wait', 'active', 'completed')).toEqual({ delayed: 0, wait: 0, active: 0, completed: 0 });
  });
});
