import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { jobIds } from '@steward/core';
import { onStart } from '@steward/control';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { createRedis } from './redis.ts';
import { QueryStore, type NewQuery } from './queries.ts';
import { DagStore } from './dag.ts';
import { readQueryEvents } from './events.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('store');
let redis: Redis;
let queries: QueryStore;
let dags: DagStore;
const keys = createKeys(prefix);

beforeAll(() => {
  redis = createRedis(url);
  queries = new QueryStore(redis, keys);
  dags = new DagStore(redis, keys);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

let n = 0;
function newQuery(over: Partial<NewQuery> = {}): NewQuery {
  n++;
  return {
    queryId: `q_test${n}`,
    conversationId: `c_test${n}`,
    channel: 'api',
    text: 'where is my order',
    language: 'en',
    traceId: 'a'.repeat(32),
    createdMs: 1000,
    ...over,
  };
}

describe('QueryStore.accept', () => {
  it('starts the first query of a conversation and queues the next behind it', async () => {
    const a = newQuery({ conversationId: 'c_dt' });
    const b = newQuery({ conversationId: 'c_dt' });
    expect(await queries.accept(a, 30_000, 5_000)).toMatchObject({ kind: 'start', queryId: a.queryId });
    expect(await queries.accept(b)).toEqual({ kind: 'queued', queryId: b.queryId });
    expect((await queries.get(b.queryId))?.status).toBe('queued');
    // Started in the same script: running, deadline set and indexed, turn 0's job added to BullMQ
    // by the script (ADR 0040: nothing in the outbox), and no deadline job (ADR 0027).
    expect(await queries.get(a.queryId)).toMatchObject({ status: 'running', state: 'reasoning', turn: 0, startedMs: 5_000, deadlineAtMs: 35_000 });
    expect(await redis.zscore(keys.deadlines, a.queryId)).toBe('35000');
    expect(await redis.zcard(keys.outbox)).toBe(0);
    const waiting = await redis.lrange(`${keys.prefix}:reasoning:wait`, 0, -1);
    const added = await Promise.all(waiting.map(async (jobId) => ({ queue: 'reasoning', jobId, data: JSON.parse((await redis.hget(`${keys.prefix}:reasoning:${jobId}`, 'data'))!) as unknown })));
    expect(added).toEqual([{ queue: 'reasoning', jobId: jobIds.reason(a.queryId, 0), data: { queryId: a.queryId, turn: 0 } }]);
    // The script starts a query exactly as the kernel's start transition says.
    const start = onStart(a);
    expect(added).toEqual(start.jobs);
    expect((await queries.get(a.queryId))?.state).toBe(start.to.state);
  });

  it('returns the first query for a repeated (channel, messageId)', async () => {
    const a = newQuery({ messageId: 'm-1', channel: 'slack' });
    const again = newQuery({ messageId: 'm-1', channel: 'slack' });
    await queries.accept(a);
    expect(await queries.accept(again)).toEqual({ kind: 'duplicate', queryId: a.queryId });
    expect(await queries.get(again.queryId)).toBeNull();
  });

  it('refuses a conversation bound to another customer', async () => {
    const a = newQuery({ conversationId: 'c_bound', customerId: 'alice_1' });
    const b = newQuery({ conversationId: 'c_bound', customerId: 'bob_2' });
    await queries.accept(a);
    expect(await queries.accept(b)).toEqual({ kind: 'conflict' });
  });
});

describe('QueryStore steps', () => {
  it('advances a turn once and ignores the repeat', async () => {
    const q = newQuery();
    await queries.accept(q);
    // accept started it: a begin after that changes nothing.
    expect(await queries.begin((await queries.get(q.queryId))!, 2000, 30_000)).toBe(false);
    const step = {
      from: { state: 'reasoning' as const, turn: 0 },
      to: { state: 'acting' as const, turn: 0 },
      incr: { inputTokens: 100, costUsd: 0.25, toolCalls: 2 },
      steps: [{ role: 'assistant' as const, content: null }],
    };
    expect(await queries.advance(q.queryId, step)).toBe('applied');
    expect(await queries.advance(q.queryId, step)).toBe('moved');
    const after = (await queries.get(q.queryId))!;
    expect(after).toMatchObject({ state: 'acting', turn: 0, inputTokens: 100, toolCalls: 2, costUsd: 0.25 });
    expect(await queries.steps(q.queryId)).toHaveLength(1);
  });

  it('completes exactly once, with one completion event, and hands over to the queued query', async () => {
    const a = newQuery({ conversationId: 'c_hand' });
    const b = newQuery({ conversationId: 'c_hand' });
    await queries.accept(a);
    await queries.accept(b);
    const end = {
      queryId: a.queryId,
      outcome: 'answered' as const,
      reason: 'answered' as const,
      state: 'completed' as const,
      answer: 'It shipped.',
      event: { id: `${a.queryId}:completed`, type: 'query.completed' as const, queryId: a.queryId, data: {
        outcome: 'answered',
        reason: 'answered',
        rootSpanId: 'r',
        startMs: 1,
        endMs: 2,
        turns: 1,
        toolCalls: 0,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        language: 'en',
      },
    },
    };
    // A platform's delivery follows the ending: the script adds it to BullMQ itself (ADR 0040).
    const delivery = { queue: 'deliveries' as const, jobId: jobIds.delivery(a.queryId), data: { queryId: a.queryId, conversationId: 'c_hand', channel: 'slack' } };
    const done = await queries.complete({ ...end, add: [delivery] }, 'c_hand');
    expect(done).toMatchObject({ applied: true, nextQueryId: b.queryId });
    // The conversation's messages after the ending: a's question and answer, b's question.
    expect(done.messages).toBe(3);
    expect(done.messages).toBe(await redis.llen(keys.conversationMessages('c_hand')));
    // The next query was started by the same script, its turn 0 job added to BullMQ there (ADR 0040).
    expect(done.jobs).toEqual([]);
    expect(await redis.lrange(`${keys.prefix}:reasoning:wait`, 0, -1)).toContain(jobIds.reason(b.queryId, 0));
    expect(await redis.zscore(keys.deadlines, b.queryId)).not.toBeNull();
    expect((await queries.get(b.queryId))?.status).toBe('running');
    expect(await redis.zscore(keys.deadlines, a.queryId)).toBeNull();
    expect(await queries.complete({ ...end, add: [delivery] }, 'c_hand')).toEqual({ applied: false, jobs: [] });
    // Added once, by the ending that applied; nothing in the outbox.
    expect(await redis.lrange(`${keys.prefix}:deliveries:wait`, 0, -1)).toEqual([delivery.jobId]);
    expect(JSON.parse((await redis.hget(`${keys.prefix}:deliveries:${delivery.jobId}`, 'data'))!)).toEqual(delivery.data);
    expect(await redis.zcard(keys.outbox)).toBe(0);
    const events = await readQueryEvents(redis, keys, a.queryId);
    expect(events.filter((e) => e.type === 'query.completed')).toHaveLength(1);
    expect((await queries.get(a.queryId))?.answer).toBe('It shipped.');
    expect(await redis.hget(keys.conversation('c_hand'), 'activeQueryId')).toBe(b.queryId);
  });
});

describe('DagStore', () => {
  it('releases a dependent once all its dependencies ended, and repeats are harmless', async () => {
    // 0 → 2, 1 → 2 ; 2 waits for both
    const job = (i: number) => ({ queryId: 'q_dag', conversationId: 'c', turn: 0, index: i, callId: `c${i}`, name: 't', arguments: {} });
    await dags.init('q_dag', 0, [
      { pending: 0, dependents: [2], job: job(0) },
      { pending: 0, dependents: [2], job: job(1) },
      { pending: 2, dependents: [], job: job(2) },
    ]);
    expect(await dags.ready('q_dag', 0)).toEqual([0, 1]);
    const res = (i: number) => ({ name: 't', callId: `c${i}`, result: `r${i}`, ok: true });
    expect(await dags.complete('q_dag', 0, 0, res(0))).toEqual({ left: 2, ready: [], jobs: [] });
    expect(await dags.complete('q_dag', 0, 0, res(0))).toEqual({ left: 2, ready: [], jobs: [] });
    expect(await dags.complete('q_dag', 0, 1, res(1))).toEqual({ left: 1, ready: [2], jobs: [job(2)] });
    // A redelivered completion after a crash still reports the ready dependent.
    expect(await dags.complete('q_dag', 0, 1, res(1))).toEqual({ left: 1, ready: [2], jobs: [job(2)] });
    expect(await dags.complete('q_dag', 0, 2, res(2))).toEqual({ left: 0, ready: [], jobs: [] });
    expect((await dags.results('q_dag', 0)).results.map((r) => r?.result)).toEqual(['r0', 'r1', 'r2']);
  });

  it("claims released dependents for the job that runs them: its repeat restarts them, another call's does not", async () => {
    // 0 → 2, 1 → 2, 2 → 3 ; call 1's job runs 2 and then 3 in place (owner 1)
    const job = (i: number) => ({ queryId: 'q_claim', conversationId: 'c', turn: 0, index: i, callId: `c${i}`, name: 't', arguments: {} });
    const res = (i: number) => ({ name: 't', callId: `c${i}`, result: `r${i}`, ok: true });
    await dags.init('q_claim', 0, [
      { pending: 0, dependents: [2], job: job(0) },
      { pending: 0, dependents: [2], job: job(1) },
      { pending: 2, dependents: [3], job: job(2) },
      { pending: 1, dependents: [], job: job(3) },
    ]);
    await dags.complete('q_claim', 0, 0, res(0));
    expect(await dags.complete('q_claim', 0, 1, res(1))).toEqual({ left: 2, ready: [2], jobs: [job(2)] });
    // Call 0's job, redelivered, leaves 2 to the job that claimed it.
    expect(await dags.complete('q_claim', 0, 0, res(0))).toEqual({ left: 2, ready: [], jobs: [] });
    expect(await dags.complete('q_claim', 0, 2, res(2), 1)).toEqual({ left: 1, ready: [3], jobs: [job(3)] });
    // Call 1's job, redelivered while 3 (run in place) had no result: 3 is its to start again.
    expect(await dags.complete('q_claim', 0, 1, res(1))).toEqual({ left: 1, ready: [3], jobs: [job(3)] });
    expect(await dags.complete('q_claim', 0, 3, res(3), 1)).toEqual({ left: 0, ready: [], jobs: [] });
    expect(await dags.complete('q_claim', 0, 1, res(1))).toEqual({ left: 0, ready: [], jobs: [] });
  });

  it('returns, when asked, what a released call reads before it starts (query running, customer, its dependencies)', async () => {
    const job = (i: number, dependsOn?: number[]) => ({ queryId: 'q_load', conversationId: 'c_load', turn: 0, index: i, callId: `c${i}`, name: 't', arguments: {}, ...(dependsOn ? { dependsOn } : {}) });
    const res = (i: number) => ({ name: 't', callId: `c${i}`, result: `r${i}`, ok: true });
    await dags.init('q_load', 0, [
      { pending: 0, dependents: [2], job: job(0) },
      { pending: 0, dependents: [2], job: job(1) },
      { pending: 2, dependents: [], job: job(2, [0, 1]) },
    ]);
    await redis.hset(keys.query('q_load'), 'status', 'running');
    await redis.hset(keys.conversation('c_load'), 'customerId', 'cust_1');
    const load = { conversationId: 'c_load' };
    expect(await dags.complete('q_load', 0, 0, res(0), 0, load)).toEqual({ left: 2, ready: [], jobs: [], loaded: { running: true, customerId: 'cust_1', deps: [] } });
    expect(await dags.complete('q_load', 0, 1, res(1), 1, load)).toEqual({
      left: 1,
      ready: [2],
      jobs: [job(2, [0, 1])],
      loaded: { running: true, customerId: 'cust_1', deps: [[res(0), res(1)]] },
    });
    await redis.hset(keys.query('q_load'), 'status', 'completed');
    await redis.hdel(keys.conversation('c_load'), 'customerId');
    expect(await dags.complete('q_load', 0, 2, res(2), 1, load)).toMatchObject({ left: 0, ready: [], jobs: [], loaded: { running: false, customerId: null, deps: [] } });
  });

  it("returns, when asked and no call is left, what the turn's observe step reads (one snapshot), and only then", async () => {
    const job = (i: number) => ({ queryId: 'q_obs', conversationId: 'c_obs', turn: 1, index: i, callId: `c${i}`, name: 't', arguments: {} });
    const res = (i: number) => ({ name: 't', callId: `c${i}`, result: `r${i}`, ok: true });
    await dags.init('q_obs', 1, [
      { pending: 0, dependents: [], job: job(0) },
      { pending: 0, dependents: [], job: job(1) },
    ]);
    await redis.hset(keys.query('q_obs'), { queryId: 'q_obs', status: 'running', state: 'acting', turn: '1' });
    const proposal = { role: 'assistant', content: 'looking', tool_calls: [{ id: 'c0', type: 'function', function: { name: 't', arguments: '{}' } }] };
    const steps = [{ role: 'user', content: 'hi' }, proposal, { role: 'assistant', content: 'thinking' }];
    await redis.rpush(keys.querySteps('q_obs'), ...steps.map((m) => JSON.stringify(m)));
    await redis.rpush(keys.queryHistory('q_obs'), JSON.stringify({ turn: 0 }));
    await redis.hset(keys.conversation('c_obs'), 'memory', '{"orders":[]}');
    const load = { conversationId: 'c_obs' };
    const first = await dags.complete('q_obs', 1, 0, res(0), 0, load);
    expect(first.left).toBe(1);
    expect(first.turn).toBeUndefined();
    const ended = {
      query: { queryId: 'q_obs', status: 'running', state: 'acting', turn: '1' },
      results: [res(0), res(1)],
      // Of the scratchpad, the one step observe reads: the last with tool calls.
      proposal,
      history: [{ turn: 0 }],
      memory: '{"orders":[]}',
    };
    expect((await dags.complete('q_obs', 1, 1, res(1), 1, load)).turn).toEqual(ended);
    // A repeat of any call of the ended turn reads it again (its redelivered job takes the step again).
    expect((await dags.complete('q_obs', 1, 0, res(0), 0, load)).turn).toEqual(ended);
    // Without `load`, nothing but the count.
    expect(await dags.complete('q_obs', 1, 1, res(1))).toEqual({ left: 0, ready: [], jobs: [] });
  });

  it('counts pre-answered calls as done', async () => {
    await dags.init('q_pre', 0, [{ pending: 0, dependents: [], result: { name: 'x', callId: 'c0', result: 'Error: bad', ok: false } }]);
    expect(await dags.results('q_pre', 0)).toMatchObject({ n: 1, left: 0 });
  });
});
