import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { createRedis } from './redis.ts';
import { DagStore } from './dag.ts';
import { readQueryEvents, type EmitInput } from './events.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('dagstart');
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

const job = (q: string, i: number, dependsOn: number[] = []) => ({ queryId: q, conversationId: 'c_s', turn: 0, index: i, callId: `c${i}`, name: 't', arguments: {}, dependsOn });
const res = (i: number) => ({ name: 't', callId: `c${i}`, result: `r${i}`, ok: true });

/** Roots 0, 1, 2 (2 also reads 3's result, answered up front), and 4 after 0. */
async function turn(q: string): Promise<void> {
  await dags.init(q, 0, [
    { pending: 0, dependents: [4], job: job(q, 0) },
    { pending: 0, dependents: [], job: job(q, 1) },
    { pending: 0, dependents: [], job: job(q, 2, [3]) },
    { pending: 0, dependents: [], result: res(3) },
    { pending: 1, dependents: [], job: job(q, 4, [0]) },
  ]);
}

describe('DagStore.start (DAG_START)', () => {
  it("claims the turn's other roots for the first job to start, and its siblings' jobs find them claimed", async () => {
    await turn('q_s1');
    await redis.hset(keys.conversation('c_s'), 'customerId', 'cust_s');
    const first = await dags.start('q_s1', 0, 1, 'c_s', [], 8);
    expect(first).toMatchObject({ recorded: undefined, customerId: 'cust_s', claim: 1, claimedFromJob: false, unfinished: [] });
    // Not the dependent (4: waiting on 0), not the call answered up front (3).
    expect(first.beside.map((c) => [c.job.index, c.deps])).toEqual([
      [0, []],
      [2, [res(3)]],
    ]);
    for (const i of [0, 2]) {
      const other = await dags.start('q_s1', 0, i, 'c_s', i === 2 ? [3] : [], 8);
      expect(other).toMatchObject({ claim: 1, claimedFromJob: true, beside: [], unfinished: [] });
    }
    // The dependent 4's own job (when enqueued) is not a claimed root: it runs.
    expect(await dags.start('q_s1', 0, 4, 'c_s', [0], 8)).toMatchObject({ claim: undefined, claimedFromJob: false, beside: [] });
  });

  it('claims no more than the room it was given', async () => {
    await turn('q_s2');
    const first = await dags.start('q_s2', 0, 0, 'c_s', [], 1);
    expect(first.beside.map((c) => c.job.index)).toEqual([1]);
    // Root 2, not claimed, is its own job's.
    expect(await dags.start('q_s2', 0, 2, 'c_s', [3], 0)).toMatchObject({ claim: 2, claimedFromJob: false, beside: [] });
  });

  it('never lets two jobs starting at once both run a call', async () => {
    for (let k = 0; k < 20; k++) {
      const q = `q_race${k}`;
      await turn(q);
      const starts = await Promise.all([0, 1, 2].map((i) => dags.start(q, 0, i, 'c_s', i === 2 ? [3] : [], 8)));
      // Each root is run exactly once: by its own job (claim = itself) or beside the claimant's.
      const runs = [0, 1, 2].map((i) => starts.filter((s, j) => (j === i && s.claim === i) || s.beside.some((c) => c.job.index === i)).length);
      expect(runs).toEqual([1, 1, 1]);
    }
  });

  it('gives a redelivered claimant what it claimed and did not finish; a repeat of its completion flags the claimed roots', async () => {
    await turn('q_s3');
    await dags.start('q_s3', 0, 0, 'c_s', [], 8);
    await dags.complete('q_s3', 0, 1, res(1), 0, { conversationId: 'c_s' });
    // Call 0's job came back before its own result was recorded: root 2 is unfinished, 1 is done.
    const again = await dags.start('q_s3', 0, 0, 'c_s', [], 8);
    expect(again.beside).toEqual([]);
    expect(again.unfinished).toEqual([{ job: job('q_s3', 2, [3]), claimedFromJob: true }]);
    // Its result recorded (released: 4, claimed by 0); a repeat of that completion returns 2 and 4, 2 flagged.
    const fresh = await dags.complete('q_s3', 0, 0, res(0), 0, { conversationId: 'c_s' });
    expect(fresh.ready).toEqual([4]);
    expect(fresh.claimedRoots).toBeUndefined();
    const repeat = await dags.complete('q_s3', 0, 0, res(0), 0, { conversationId: 'c_s' });
    expect(repeat.ready).toEqual([2, 4]);
    expect(repeat.claimedRoots).toEqual([2]);
    // A recorded call claims nothing.
    expect(await dags.start('q_s3', 0, 0, 'c_s', [], 8)).toMatchObject({ recorded: res(0), beside: [], unfinished: [] });
  });

  it('claims nothing when the turn is gone', async () => {
    expect(await dags.start('q_gone', 0, 0, 'c_s', [], 8)).toMatchObject({ recorded: undefined, claim: undefined, beside: [], unfinished: [] });
  });
});

describe('DagStore.complete with the call\'s event (DAG_COMPLETE_WITH_EVENT)', () => {
  const event = (q: string, i: number): EmitInput => ({
    id: `${q}:t0:c${i}:tool`,
    type: 'tool.call',
    queryId: q,
    conversationId: 'c_s',
    ts: 1_000 + i,
    data: { turn: 0, index: i, callId: `c${i}`, spanId: `s${i}`, name: 't', startMs: 990, endMs: 1_000 + i, cacheHit: false, ok: true, arguments: {}, result: `r${i}` },
  });

  it('writes the event (stream and query list) and answers as DAG_COMPLETE does', async () => {
    await turn('q_e1');
    await redis.hset(keys.conversation('c_s'), 'customerId', 'cust_s');
    const before = await redis.xlen(keys.events);
    const plain = await dags.complete('q_e1', 0, 1, res(1), 1, { conversationId: 'c_s' });
    const withEvent = await dags.complete('q_e1', 0, 0, res(0), 0, { conversationId: 'c_s' }, event('q_e1', 0));
    expect(plain).toMatchObject({ left: 3, ready: [] });
    // 0's dependent is released to 0's job, with 0's result to read.
    expect(withEvent).toMatchObject({ left: 2, ready: [4], loaded: { customerId: 'cust_s', deps: [[res(0)]] } });
    expect(withEvent.jobs.map((j) => j.index)).toEqual([4]);
    expect(await redis.xlen(keys.events)).toBe(before + 1);
    const events = await readQueryEvents(redis, keys, 'q_e1');
    expect(events.map((e) => [e.id, e.type, e.data])).toEqual([[`q_e1:t0:c0:tool`, 'tool.call', event('q_e1', 0).data]]);
    expect(await dags.result('q_e1', 0, 0)).toEqual(res(0));
  });

  it('still writes the event when the turn is gone (as the event beside the record did)', async () => {
    expect(await dags.complete('q_e2', 0, 0, res(0), 0, { conversationId: 'c_s' }, event('q_e2', 0))).toMatchObject({ left: -1 });
    expect((await readQueryEvents(redis, keys, 'q_e2')).map((e) => e.id)).toEqual(['q_e2:t0:c0:tool']);
  });
});
