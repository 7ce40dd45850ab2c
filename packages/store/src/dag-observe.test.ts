import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { createRedis } from './redis.ts';
import { DAG_SUPERSEDED, DagStore, type ObserveInScript } from './dag.ts';
import { QueryStore } from './queries.ts';
import { readQueryEvents, type EmitInput } from './events.ts';

// ADR 0041: the turn's observe step decided by the job that runs its last call, from what the
// turn's first start read (DAG_START), and applied by the script that records that last result
// (DAG_COMPLETE_AND_OBSERVE) only when what it was decided on still stands. Real Redis.
const url = inject('redisUrl');
const prefix = uniquePrefix('dag-observe');
const keys = createKeys(prefix);
let redis: Redis;
let dags: DagStore;
let queries: QueryStore;

beforeAll(() => {
  redis = createRedis(url);
  dags = new DagStore(redis, keys);
  queries = new QueryStore(redis, keys);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const job = (q: string, i: number, dependsOn: number[] = []) => ({ queryId: q, conversationId: `c_${q}`, turn: 0, index: i, callId: `c${i}`, name: 't', arguments: {}, dependsOn });
const res = (i: number, what = `r${i}`) => ({ name: 't', callId: `c${i}`, result: what, ok: true });
const event = (q: string, i: number): EmitInput => ({ id: `${q}:t0:c${i}:tool`, type: 'tool.call', queryId: q, conversationId: `c_${q}`, traceId: 'tr', data: { turn: 0, index: i, callId: `c${i}`, spanId: `s${i}`, name: 't', startMs: 990, endMs: 1_000, cacheHit: false, ok: true, arguments: {}, result: `r${i}` } });
const MEMORY = '{"orders":["#W1"]}';

/** A query acting on turn 0 with `n` root calls, a scratchpad, a loop history and a working memory. */
async function turn(q: string, n: number): Promise<void> {
  await redis.hset(keys.query(q), { queryId: q, conversationId: `c_${q}`, status: 'running', state: 'acting', turn: '0' });
  await redis.hset(keys.conversation(`c_${q}`), { memory: MEMORY, customerId: 'u1' });
  await redis.rpush(keys.querySteps(q), JSON.stringify({ role: 'user', content: 'hi' }), JSON.stringify({ role: 'assistant', content: '', tool_calls: [{ id: 'c0', type: 'function', function: { name: 't', arguments: '{}' } }] }));
  await redis.rpush(keys.queryHistory(q), JSON.stringify({ calls: ['x'] }));
  await dags.init(q, 0, Array.from({ length: n }, (_, i) => ({ pending: 0, dependents: [], job: job(q, i) })));
}

/** The step the job decided: acting/0 → reasoning/1, a tool message per call, the memory set, the next reasoning job added. */
function step(q: string, n: number, shas: string[], memorySha = sha1(MEMORY)): ObserveInScript {
  const { keys: k, argv } = queries.advanceArgs(q, {
    from: { state: 'acting', turn: 0 },
    to: { state: 'reasoning', turn: 1 },
    steps: Array.from({ length: n }, (_, i) => ({ role: 'tool' as const, tool_call_id: `c${i}`, content: `r${i}` })),
    history: [{ calls: ['t'] }],
    conversation: { id: `c_${q}`, set: { memory: '{"orders":["#W1","#W2"]}' } },
    add: [{ queue: 'reasoning', jobId: `${q}:t1:r`, data: { queryId: q, turn: 1 } }],
    nowMs: Date.now(),
  });
  return { keys: k, argv, resultShas: shas, memorySha };
}

const load = (q: string) => ({ conversationId: `c_${q}` });
const state = async (q: string) => redis.hmget(keys.query(q), 'state', 'turn');
const reasoningJob = async (q: string) => redis.hget(`${prefix}:reasoning:${q}:t1:r`, 'data');

describe('DAG_START: the turn as its observe step reads it', () => {
  it('comes back to the job that claims its own call now, with the results recorded so far', async () => {
    await turn('q_s', 2);
    await dags.complete('q_s', 0, 1, res(1), 1, load('q_s'));
    const first = await dags.start('q_s', 0, 0, 'c_q_s', [], 0);
    expect(first.turn).toMatchObject({ results: ['', JSON.stringify(res(1))], history: [{ calls: ['x'] }], memory: MEMORY });
    expect(first.turn?.proposal).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'c0' }] });
    // A redelivery of that job (its call claimed already) reads no turn, nor does a job whose call another claimed.
    expect((await dags.start('q_s', 0, 0, 'c_q_s', [], 0)).turn).toBeUndefined();
  });
});

describe('DagStore.complete with the observe step (DAG_COMPLETE_AND_OBSERVE)', () => {
  it("applies the step with the turn's last record: the state, the scratchpad, the memory and the next job in one script", async () => {
    await turn('q_a', 2);
    await dags.complete('q_a', 0, 0, res(0), 0, load('q_a'));
    const p = await dags.complete('q_a', 0, 1, res(1), 1, load('q_a'), event('q_a', 1), step('q_a', 2, [sha1(JSON.stringify(res(0))), '']));
    expect(p).toMatchObject({ left: 0, observed: 'applied' });
    expect(p.turn).toBeUndefined();
    expect(await state('q_a')).toEqual(['reasoning', '1']);
    expect(await redis.hget(keys.dag('q_a', 0), 'r:1')).toBe(JSON.stringify(res(1)));
    expect(await redis.hget(keys.conversation('c_q_a'), 'memory')).toBe('{"orders":["#W1","#W2"]}');
    expect(JSON.parse((await reasoningJob('q_a'))!)).toEqual({ queryId: 'q_a', turn: 1 });
    expect((await readQueryEvents(redis, keys, 'q_a')).map((e) => e.id)).toEqual(['q_a:t0:c1:tool']);
  });

  it('applies nothing but the record when another result is not the one the step was decided on', async () => {
    await turn('q_b', 2);
    await dags.complete('q_b', 0, 0, res(0, 'what another runner recorded'), 0, load('q_b'));
    const p = await dags.complete('q_b', 0, 1, res(1), 1, load('q_b'), event('q_b', 1), step('q_b', 2, [sha1(JSON.stringify(res(0))), '']));
    expect(p.left).toBe(0);
    expect(p.observed).toBeUndefined();
    expect(await state('q_b')).toEqual(['acting', '0']);
    expect(await redis.hget(keys.dag('q_b', 0), 'r:1')).toBe(JSON.stringify(res(1)));
    expect(await reasoningJob('q_b')).toBeNull();
    expect((await readQueryEvents(redis, keys, 'q_b')).map((e) => e.id)).toEqual(['q_b:t0:c1:tool']);
  });

  it('applies nothing but the record when the working memory changed since the step was decided', async () => {
    await turn('q_c', 1);
    const p = await dags.complete('q_c', 0, 0, res(0), 0, load('q_c'), event('q_c', 0), step('q_c', 1, [''], sha1('{"orders":[]}')));
    expect(p).toMatchObject({ left: 0 });
    expect(p.observed).toBeUndefined();
    expect(await state('q_c')).toEqual(['acting', '0']);
    expect(await redis.hget(keys.conversation('c_q_c'), 'memory')).toBe(MEMORY);
  });

  it('applies nothing when calls are still left, or when the result was recorded before (a repeat)', async () => {
    await turn('q_d', 3);
    await dags.complete('q_d', 0, 0, res(0), 0, load('q_d'));
    const early = await dags.complete('q_d', 0, 1, res(1), 1, load('q_d'), event('q_d', 1), step('q_d', 3, [sha1(JSON.stringify(res(0))), '', sha1(JSON.stringify(res(2)))]));
    expect(early).toMatchObject({ left: 1 });
    expect(early.observed).toBeUndefined();
    await dags.complete('q_d', 0, 2, res(2), 2, load('q_d'));
    expect(await state('q_d')).toEqual(['acting', '0']);
    // Call 1 again: its result is recorded, so this record is a repeat's, whatever the turn now holds.
    const repeat = await dags.complete('q_d', 0, 1, res(1), 1, load('q_d'), event('q_d', 1), step('q_d', 3, [sha1(JSON.stringify(res(0))), '', sha1(JSON.stringify(res(2)))]));
    expect(repeat).toMatchObject({ left: 0 });
    expect(repeat.observed).toBeUndefined();
    expect(await state('q_d')).toEqual(['acting', '0']);
  });

  it("reports the step's compare-and-set when the query moved on (an ending during the call)", async () => {
    await turn('q_e', 1);
    await redis.hset(keys.query('q_e'), 'status', 'failed');
    const p = await dags.complete('q_e', 0, 0, res(0), 0, load('q_e'), event('q_e', 0), step('q_e', 1, ['']));
    expect(p).toMatchObject({ left: 0, observed: 'ended' });
    expect(await state('q_e')).toEqual(['acting', '0']);
    expect(await reasoningJob('q_e')).toBeNull();
  });

  it('records nothing, writes no event and applies nothing for a runner whose job was taken over', async () => {
    await turn('q_f', 1);
    const lock = { key: `${prefix}:tools:q_f:t0:c0:lock`, token: 'stale' };
    await redis.set(lock.key, 'holder');
    const p = await dags.complete('q_f', 0, 0, res(0), 0, { ...load('q_f'), lock }, event('q_f', 0), step('q_f', 1, ['']));
    expect(p).toEqual({ left: DAG_SUPERSEDED, ready: [], jobs: [] });
    expect(await redis.hget(keys.dag('q_f', 0), 'r:0')).toBeNull();
    expect(await state('q_f')).toEqual(['acting', '0']);
    expect(await readQueryEvents(redis, keys, 'q_f')).toEqual([]);
  });
});
