// bull_add (a job added by a step's own script) held to BullMQ itself, on the test Redis: for each
// queue, the same job added by BullMQ's Queue.add under one prefix and by bull_add under another
// leaves the same keys, job hash (its options parsed alike), wait list, marker, id counter and
// events; a second add of the same id, and an add to a paused queue, behave as BullMQ's; and a
// real BullMQ Worker runs such a job with the queue's options (a failure is retried, with the
// backoff, and the job is kept once completed).
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QUEUES, type QueueName } from '@steward/core';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { BULL_ADD_FN, bullAddArgs } from './bull-add.ts';
import { createQueues, JOB_OPTIONS, type Queues } from './queues.ts';
import { createRedis } from './redis.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('bull-add');
const ADD = `${BULL_ADD_FN}\nbull_add(ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]))\nreturn 1`;
let redis: Redis;
const opened: Queues[] = [];

beforeAll(() => {
  redis = createRedis(url);
});
afterAll(async () => {
  await Promise.all(opened.map((q) => q.close()));
  await deletePrefix(url, prefix);
  redis.disconnect();
});

/** Both prefixes with their BullMQ queues open, as every process that adds jobs has them. */
function pair(name: string): { bull: string; ours: string; bullQueues: Queues; ourQueues: Queues } {
  const bull = `${prefix}.${name}.bull`;
  const ours = `${prefix}.${name}.ours`;
  const bullQueues = createQueues(redis, bull);
  const ourQueues = createQueues(redis, ours);
  opened.push(bullQueues, ourQueues);
  return { bull, ours, bullQueues, ourQueues };
}

async function bullAdd(p: string, queue: QueueName, jobId: string, data: unknown): Promise<void> {
  await redis.eval(ADD, 0, p, ...bullAddArgs({ queue, jobId, data: data as never }), Date.now());
}

/** Everything under a prefix, with the prefix and the stream's entry ids and the job's timestamp taken out. */
async function snapshot(p: string): Promise<Record<string, unknown>> {
  const keys = (await redis.keys(`${p}:*`)).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const name = k.slice(p.length + 1);
    const type = await redis.type(k);
    if (type === 'hash') {
      const h = await redis.hgetall(k);
      if (h.timestamp) h.timestamp = Number.isFinite(Number(h.timestamp)) ? 'a number' : 'not a number';
      out[name] = { ...h, ...(h.opts ? { opts: JSON.parse(h.opts) as unknown } : {}), ...(h.data ? { data: JSON.parse(h.data) as unknown } : {}) };
    } else if (type === 'list') out[name] = await redis.lrange(k, 0, -1);
    else if (type === 'zset') out[name] = await redis.call('ZRANGE', k, '0', '-1', 'WITHSCORES');
    else if (type === 'stream') out[name] = (await redis.xrange(k, '-', '+')).map(([, fields]) => fields);
    else out[name] = await redis.get(k);
  }
  return out;
}

describe('bull_add: a job added by a step’s own script', () => {
  it('leaves, on every queue, what BullMQ’s own add leaves', async () => {
    const { bull, ours, bullQueues } = pair('each');
    for (const queue of Object.values(QUEUES)) {
      // An empty array and nested values: the payload must arrive as it was sent.
      const data = { queryId: 'q_1', turn: 2, calls: [], nested: { a: [1, 2], b: 'zh 中文' } };
      await bullQueues.add(queue, `q_1:t2:${queue}`, data);
      await bullAdd(ours, queue, `q_1:t2:${queue}`, data);
    }
    const [a, b] = [await snapshot(bull), await snapshot(ours)];
    expect(Object.keys(b)).toEqual(Object.keys(a));
    expect(b).toEqual(a);
    // What was compared: each queue's job, its wait list, marker and events.
    expect(Object.keys(a)).toEqual(expect.arrayContaining(Object.values(QUEUES).flatMap((q) => [`${q}:q_1:t2:${q}`, `${q}:wait`, `${q}:marker`, `${q}:events`])));
  });

  it('adds nothing for an id that exists and reports it duplicated, as BullMQ does; keeps the first payload', async () => {
    const { bull, ours, bullQueues } = pair('dup');
    await bullQueues.add('tools', 'q_2:t0:c0', { first: true } as never);
    await bullQueues.add('tools', 'q_2:t0:c0', { first: false } as never);
    await bullAdd(ours, 'tools', 'q_2:t0:c0', { first: true });
    await bullAdd(ours, 'tools', 'q_2:t0:c0', { first: false });
    const [a, b] = [await snapshot(bull), await snapshot(ours)];
    expect(b).toEqual(a);
    expect(b['tools:q_2:t0:c0']).toMatchObject({ data: { first: true } });
    expect((b['tools:events'] as string[][]).map((f) => f[1])).toEqual(['added', 'waiting', 'duplicated']);
  });

  it('leaves a paused queue’s marker alone, as BullMQ does', async () => {
    const { bull, ours, bullQueues, ourQueues } = pair('paused');
    await bullQueues.reasoning.pause();
    await ourQueues.reasoning.pause();
    await bullQueues.add('reasoning', 'q_3:t0:reason', { queryId: 'q_3', turn: 0 });
    await bullAdd(ours, 'reasoning', 'q_3:t0:reason', { queryId: 'q_3', turn: 0 });
    const [a, b] = [await snapshot(bull), await snapshot(ours)];
    expect(b).toEqual(a);
    expect(b['reasoning:marker']).toBeUndefined();
  });

  it('is run by a BullMQ Worker with the queue’s options: retried after a failure, with the backoff, and kept once completed', async () => {
    const { ours } = pair('run');
    const runs: { attemptsMade: number; at: number; job: Job }[] = [];
    const w = new Worker(
      'control',
      async (job) => {
        runs.push({ attemptsMade: job.attemptsMade, at: Date.now(), job });
        if (runs.length === 1) throw new Error('first attempt fails');
        return 'done';
      },
      { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix: ours },
    );
    const completed = new Promise<void>((resolve, reject) => {
      w.on('completed', () => resolve());
      // Out of attempts: the options were not the queue's (no retry); fail now, not at the test's timeout.
      w.on('failed', (job) => job && job.attemptsMade >= (job.opts.attempts ?? 1) && reject(new Error(`failed for good after ${job.attemptsMade} attempt(s)`)));
    });
    await bullAdd(ours, 'control', 'q_4:t0:observe', { type: 'observe', queryId: 'q_4', turn: 0 });
    await completed;
    await w.close();
    expect(runs.map((r) => r.attemptsMade)).toEqual([0, 1]);
    const job = runs[1]!.job;
    expect({ id: job.id, name: job.name, data: job.data as unknown }).toEqual({ id: 'q_4:t0:observe', name: 'control', data: { type: 'observe', queryId: 'q_4', turn: 0 } });
    expect(job.opts).toMatchObject({ attempts: JOB_OPTIONS.control.attempts, backoff: JOB_OPTIONS.control.backoff, removeOnComplete: JOB_OPTIONS.control.removeOnComplete });
    // The exponential backoff's first delay (100 ms for control) was waited.
    expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(90);
    const kept = await redis.hgetall(`${ours}:control:q_4:t0:observe`);
    expect(kept.finishedOn).toBeDefined();
    expect(JSON.parse(kept.returnvalue!)).toBe('done');
  });
});
