import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULTS } from '@steward/core';
import { Redis } from 'ioredis';
import { costKeys, readCost, utcDay, type BudgetLimits } from '@steward/llm/ledger';
import { ConversationStore, QueryStore, completeInputOf, createKeys, createRedis, readQueryEvents } from '@steward/store';
import type { OptimisticStep } from '@steward/steps';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { writeLlmCall, type LlmCallWrite } from './llm-call-script.ts';

// The turn's one script after its model call, against a real Redis: every part is written as its
// own script would write it (event, cost ledger with its once-per-call id, conversation fields
// with their TTL, the live channel's messages before the event), and the query is read after.
const url = inject('redisUrl');
const prefix = uniquePrefix('llm-call');
const keys = createKeys(prefix);
let redis: Redis;
let sub: Redis;
const conversations = () => new ConversationStore(redis, keys, 600);

beforeAll(() => {
  redis = createRedis(url);
  sub = new Redis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
  sub.disconnect();
});

function call(queryId: string, over: Partial<LlmCallWrite> = {}): LlmCallWrite {
  return {
    queryKey: keys.query(queryId),
    event: {
      id: `${queryId}:t0:llm`,
      type: 'llm.call',
      queryId,
      conversationId: 'c_llm',
      ts: 1_000,
      data: { turn: 0, spanId: 's1', model: 'm', provider: 'p', startMs: 900, endMs: 1_000, inputTokens: 120, outputTokens: 30, costUsd: 0.25, proposal: 'answer: ok' },
    },
    ...over,
  };
}

describe('writeLlmCall', () => {
  it('publishes the last messages before the event, stores the fields, records the cost once and reads the query after', async () => {
    const queryId = 'q_llm1';
    await redis.hset(keys.query(queryId), { queryId, status: 'running', turn: '0' });
    await redis.hset(keys.conversation('c_llm'), { customerId: 'cust:7' });
    const heard: string[] = [];
    sub.on('message', (_ch: string, m: string) => heard.push(m));
    await sub.subscribe(keys.queryChannel(queryId));
    const record = { queryId, conversationId: 'c_llm', customerFrom: { key: keys.conversation('c_llm'), field: 'customerId' }, usd: 0.25, inputTokens: 120, outputTokens: 30, callId: `${queryId}:t0:reason` };
    const w = call(queryId, {
      publish: ['{"m":1}', '{"m":2}'],
      conversation: conversations().setFieldsArgs('c_llm', { promptPrefix: 'abc' }),
      cost: { prefix: keys.prefix, record, limits: { maxConversationTokens: 1_000 } },
    });
    const first = await writeLlmCall(redis, keys, w);
    expect(first.query).toMatchObject({ queryId, status: 'running', turn: '0' });
    expect(first.budget).toMatchObject({ ok: true, conversation: { inputTokens: 120, outputTokens: 30, calls: 1 } });
    expect(await redis.hget(keys.conversation('c_llm'), 'promptPrefix')).toBe('abc');
    const ttl = await redis.ttl(keys.conversation('c_llm'));
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
    // The ledger as recordCost writes it: per query, per conversation, per customer-day, and the call id.
    expect(await readCost(redis, costKeys.query(keys.prefix, queryId))).toMatchObject({ usd: 0.25, inputTokens: 120, calls: 1 });
    expect(await redis.ttl(costKeys.seen(keys.prefix, record.callId))).toBeGreaterThan(0);
    const day = costKeys.customerDay(keys.prefix, 'cust:7', utcDay());
    expect(await readCost(redis, day)).toMatchObject({ inputTokens: 120, calls: 1 });
    expect(await redis.ttl(day)).toBeGreaterThan(0);
    for (let i = 0; i < 100 && heard.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(heard.slice(0, 2)).toEqual(['{"m":1}', '{"m":2}']);
    expect(JSON.parse(heard[2]!)).toMatchObject({ id: `${queryId}:t0:llm`, type: 'llm.call' });
    expect((await readQueryEvents(redis, keys, queryId)).map((e) => e.id)).toEqual([`${queryId}:t0:llm`]);

    // A redelivered call (the same call id) adds nothing to the ledger but is still checked.
    const again = await writeLlmCall(redis, keys, { ...w, cost: { ...w.cost!, limits: { maxConversationTokens: 150 } } });
    expect(again.budget).toMatchObject({ ok: false, exceeded: 'token_budget', conversation: { inputTokens: 120, calls: 1 } });
    expect(await readCost(redis, costKeys.conversation(keys.prefix, 'c_llm'))).toMatchObject({ inputTokens: 120, calls: 1 });
  });

  it('reads the confirmation state after the writes: the pending confirmation and the last query ids', async () => {
    const queryId = 'q_llm3';
    const conversationKey = keys.conversation('c_conf');
    const queriesKey = keys.conversationQueries('c_conf');
    await redis.hset(conversationKey, { pendingConfirmation: '{"key":"k"}' });
    await redis.rpush(queriesKey, 'q_a', 'q_b', 'q_c', queryId);
    const r = await writeLlmCall(redis, keys, call(queryId, { confirmation: { conversationKey, queriesKey, lookback: 3 } }));
    expect(r.confirmation).toEqual({ stored: '{"key":"k"}', ids: ['q_b', 'q_c', queryId] });
    await redis.hdel(conversationKey, 'pendingConfirmation');
    const none = await writeLlmCall(redis, keys, call(queryId, { confirmation: { conversationKey, queriesKey, lookback: 20 } }));
    expect(none.confirmation).toEqual({ stored: null, ids: ['q_a', 'q_b', 'q_c', queryId] });
  });

  it('without cost, fields or messages writes the event alone and reports no budget', async () => {
    const queryId = 'q_llm2';
    const r = await writeLlmCall(redis, keys, call(queryId));
    expect(r).toEqual({ query: {}, budget: undefined, confirmation: undefined, step: undefined, refused: '' });
    expect((await readQueryEvents(redis, keys, queryId)).map((e) => e.type)).toEqual(['llm.call']);
    expect(await redis.exists(costKeys.query(keys.prefix, queryId))).toBe(0);
  });

  // The step decided before the call (ADR 0034), applied by the same script only where it holds.
  const queries = () => new QueryStore(redis, keys);
  async function reasoning(queryId: string, conversationId: string, turn = 0): Promise<void> {
    await redis.hset(keys.query(queryId), {
      queryId, conversationId, status: 'running', state: 'reasoning', turn: String(turn), text: 'hi', language: 'en', traceId: 't', channel: 'api', createdMs: '1', deadlineMs: '60000',
    });
  }
  function advanceStep(queryId: string, budget: boolean): OptimisticStep {
    const member = JSON.stringify({ queue: 'reasoning', jobId: `${queryId}:t1:reason`, data: { queryId, turn: 1 } });
    const { keys: k, argv } = queries().advanceArgs(queryId, { from: { state: 'reasoning', turn: 0 }, to: { state: 'reasoning', turn: 1 }, incr: { inputTokens: 120 }, steps: [], jobs: [member] });
    return { kind: 'advance', transition: {} as OptimisticStep['transition'], turn: 0, budget, keys: k, argv, relay: [member], answer: '', doneTtl: queries().doneTtlArgs(queryId) };
  }
  function costOf(queryId: string, conversationId: string, usd: number, tokens: number, limits: Partial<BudgetLimits>): LlmCallWrite['cost'] {
    return { prefix: keys.prefix, record: { queryId, conversationId, usd, inputTokens: tokens, outputTokens: 0, callId: `${queryId}:t0:reason` }, limits };
  }

  it('applies a step decided before the call (ADVANCE, its outbox job) in the same script, and answers no query hash then', async () => {
    const queryId = 'q_opt1';
    await reasoning(queryId, 'c_opt1');
    const step = advanceStep(queryId, true);
    const r = await writeLlmCall(redis, keys, call(queryId, { step, cost: costOf(queryId, 'c_opt1', 0.01, 100, { maxConversationTokens: 1_000 }) }));
    expect(r).toMatchObject({ step: 1, refused: '', query: {} });
    expect(r.budget).toMatchObject({ ok: true });
    expect(await redis.hmget(keys.query(queryId), 'state', 'turn', 'inputTokens')).toEqual(['reasoning', '1', '120']);
    expect(await redis.zscore(keys.outbox, step.relay[0]!)).not.toBeNull();
    // The event is written before the step (the trace never has a step before its call).
    expect((await readQueryEvents(redis, keys, queryId)).map((e) => e.type)).toEqual(['llm.call']);
  });

  it('applies nothing when the query moved during the call: it answers the query for the step to be decided as before', async () => {
    const queryId = 'q_opt2';
    await reasoning(queryId, 'c_opt2', 3);
    const step = advanceStep(queryId, false);
    const r = await writeLlmCall(redis, keys, call(queryId, { step }));
    expect(r).toMatchObject({ step: undefined, refused: 'moved', query: { queryId, turn: '3' } });
    expect(await redis.zscore(keys.outbox, step.relay[0]!)).toBeNull();
    // Ended while the model worked (a deadline, a take-over): the same.
    await redis.hset(keys.query(queryId), { status: 'failed', turn: '0' });
    expect(await writeLlmCall(redis, keys, call(queryId, { step }))).toMatchObject({ step: undefined, refused: 'moved' });
    expect(await redis.hget(keys.query(queryId), 'state')).toBe('reasoning');
  });

  it('applies nothing when the budgets stop it after this call: exactly where the ledger\'s own rule (budgetAfter) says exceeded', async () => {
    // The ledger's rule is `total >= limit`: at the limit, one under, the query's own limits or
    // not, tokens and dollars (floating sums such as 0.1 + 0.2 included).
    const cases: { usd: number; tokens: number; limits: Partial<BudgetLimits>; before?: { usd: number; tokens: number } }[] = [
      { usd: 0, tokens: 999, limits: { maxConversationTokens: 1_000 } },
      { usd: 0, tokens: 1_000, limits: { maxConversationTokens: 1_000 } },
      { usd: 0, tokens: 500, limits: { maxQueryTokens: 500 } },
      { usd: 0, tokens: 499, limits: { maxQueryTokens: 500 } },
      { usd: 0.2, tokens: 1, limits: { maxConversationUsd: 0.3 }, before: { usd: 0.1, tokens: 1 } },
      { usd: 0.2, tokens: 1, limits: { maxConversationUsd: 0.30000000000000004 }, before: { usd: 0.1, tokens: 1 } },
      { usd: 0.25, tokens: 1, limits: { maxQueryUsd: 0.25 } },
      { usd: 0.25, tokens: 1, limits: { maxQueryUsd: 0.2500001 } },
      { usd: 2, tokens: 1, limits: {} },
    ];
    let stopped = 0;
    for (const [i, c] of cases.entries()) {
      const queryId = `q_budget${i}`;
      const conversationId = `c_budget${i}`;
      await reasoning(queryId, conversationId);
      if (c.before) await writeLlmCall(redis, keys, { ...call(`q_before${i}`), cost: costOf(`q_before${i}`, conversationId, c.before.usd, c.before.tokens, c.limits) });
      const r = await writeLlmCall(redis, keys, call(queryId, { step: advanceStep(queryId, true), cost: costOf(queryId, conversationId, c.usd, c.tokens, c.limits) }));
      expect({ i, refused: r.refused === 'budget' }).toEqual({ i, refused: r.budget?.ok === false });
      expect(await redis.hget(keys.query(queryId), 'turn')).toBe(r.refused ? '0' : '1');
      if (r.refused) stopped++;
    }
    // Both sides of every boundary were seen.
    expect(stopped).toBeGreaterThan(2);
    expect(stopped).toBeLessThan(cases.length - 2);
  });

  it('applies an ending (COMPLETE) with the done TTL in the same script', async () => {
    const queryId = 'q_opt4';
    const conversationId = 'c_opt4';
    await reasoning(queryId, conversationId);
    await redis.hset(keys.conversation(conversationId), { activeQueryId: queryId });
    const q = (await queries().get(queryId))!;
    const c = queries().completeArgs(completeInputOf(q, { outcome: 'answered', reason: 'answered', state: 'completed', answer: 'Done.' }, 2_000), conversationId);
    const step: OptimisticStep = { kind: 'complete', transition: {} as OptimisticStep['transition'], turn: 0, budget: false, keys: c.keys, argv: c.argv, relay: [], answer: 'Done.', doneTtl: queries().doneTtlArgs(queryId) };
    const r = await writeLlmCall(redis, keys, call(queryId, { step }));
    expect(r.refused).toBe('');
    expect((r.step as unknown[])[0]).toBe(1);
    expect(await redis.hmget(keys.query(queryId), 'status', 'answer')).toEqual(['completed', 'Done.']);
    expect((await readQueryEvents(redis, keys, queryId)).map((e) => e.type)).toEqual(['llm.call', 'query.completed']);
    // The done TTL (QUERY_DONE_TTL_SEC, shorter than a running query's) is set by the same script.
    expect(await redis.ttl(keys.query(queryId))).toBeLessThanOrEqual(DEFAULTS.queryDoneTtlSec);
    expect(await redis.ttl(keys.query(queryId))).toBeGreaterThan(0);
    // Applied once: the same step again finds the query ended.
    expect(await writeLlmCall(redis, keys, call(queryId, { step }))).toMatchObject({ refused: 'moved' });
  });
});
