import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { createRedis } from './redis.ts';
import { DAG_SUPERSEDED, DagStore } from './dag.ts';

// DAG_COMPLETE with the lock of the job running the call: a runner whose job was taken over
// (the lock now holds another token) records nothing and releases nothing; the job's holder
// runs the call again and carries the turn on (test/control/stopped-worker.test.ts end to end).
const url = inject('redisUrl');
const prefix = uniquePrefix('dag-superseded');
const keys = createKeys(prefix);
let redis: Redis;
let dags: DagStore;

beforeAll(() => {
  redis = createRedis(url);
  dags = new DagStore(redis, keys);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

const job = (q: string, i: number, dependsOn: number[] = []) => ({ queryId: q, conversationId: 'c_x', turn: 0, index: i, callId: `c${i}`, name: 't', arguments: {}, dependsOn });
const res = (i: number, by: string) => ({ name: 't', callId: `c${i}`, result: `r${i} by ${by}`, ok: true });

/** Call 0, and call 1 after it. */
async function turn(q: string): Promise<void> {
  await redis.hset(keys.query(q), { queryId: q, status: 'running', state: 'acting', turn: '0' });
  await dags.init(q, 0, [
    { pending: 0, dependents: [1], job: job(q, 0) },
    { pending: 1, dependents: [], job: job(q, 1, [0]) },
  ]);
}

describe('DagStore.complete with the running job\'s lock', () => {
  it('refuses a runner whose job lock holds another token: nothing recorded, nothing released or claimed', async () => {
    await turn('q_x1');
    const lock = { key: `${prefix}:tools:q_x1:t0:c0:lock`, token: 'stale' };
    await redis.set(lock.key, 'holder');
    expect(await dags.complete('q_x1', 0, 0, res(0, 'stale'), 0, { conversationId: 'c_x', lock })).toEqual({ left: DAG_SUPERSEDED, ready: [], jobs: [] });
    expect(await redis.hmget(keys.dag('q_x1', 0), 'r:0', 'p:1', 'k:1', 'left')).toEqual([null, '1', null, '2']);
    // The holder's recording is the one: it releases call 1, claimed for its job.
    const held = await dags.complete('q_x1', 0, 0, res(0, 'holder'), 0, { conversationId: 'c_x', lock: { ...lock, token: 'holder' } });
    expect(held).toMatchObject({ left: 1, ready: [1] });
    expect(await redis.hmget(keys.dag('q_x1', 0), 'r:0', 'k:1')).toEqual([JSON.stringify(res(0, 'holder')), '0']);
  });

  it('records as before when the lock is its own or held by nobody (the job moved back, not yet taken)', async () => {
    await turn('q_x2');
    const lock = { key: `${prefix}:tools:q_x2:t0:c0:lock`, token: 'mine' };
    expect(await dags.complete('q_x2', 0, 0, res(0, 'nobody'), 0, { conversationId: 'c_x', lock })).toMatchObject({ left: 1, ready: [1] });
    await turn('q_x3');
    await redis.set(`${prefix}:tools:q_x3:t0:c0:lock`, 'mine');
    expect(await dags.complete('q_x3', 0, 0, res(0, 'mine'), 0, { conversationId: 'c_x', lock: { ...lock, key: `${prefix}:tools:q_x3:t0:c0:lock` } })).toMatchObject({ left: 1, ready: [1] });
  });
});
