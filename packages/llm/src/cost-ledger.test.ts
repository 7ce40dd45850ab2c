import { describe, it, expect, inject, beforeAll, afterAll } from 'vitest';
import { Redis } from 'ioredis';
import { uniquePrefix, deletePrefix } from '@steward/testing';
import { recordCost, recordCostAndCheck, readCost, checkBudget, costKeys, budgetLimitsFromEnv, utcDay } from './cost-ledger.ts';
import { BUDGET_DEFAULTS } from './constants.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('ledger');
let redis: Redis;
beforeAll(() => {
  redis = new Redis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

describe('cost ledger', () => {
  it('adds each call per query, per conversation and per customer per day, with TTLs', async () => {
    const base = { queryId: 'q1', conversationId: 'c1', customerId: 'alex_moore_1001', day: '2026-11-24' };
    expect(await recordCost(redis, prefix, { ...base, usd: 0.0012, inputTokens: 1000, outputTokens: 100 })).toBe(true);
    expect(await recordCost(redis, prefix, { ...base, usd: 0.0008, inputTokens: 600, outputTokens: 50 })).toBe(true);
    await recordCost(redis, prefix, { ...base, queryId: 'q2', usd: 0.001, inputTokens: 500, outputTokens: 20 });
    const q1 = await readCost(redis, costKeys.query(prefix, 'q1'));
    expect(q1).toMatchObject({ inputTokens: 1600, outputTokens: 150, calls: 2 });
    expect(q1.usd).toBeCloseTo(0.002, 12);
    const conv = await readCost(redis, costKeys.conversation(prefix, 'c1'));
    expect(conv).toMatchObject({ inputTokens: 2100, outputTokens: 170, calls: 3 });
    expect(conv.usd).toBeCloseTo(0.003, 12);
    const day = await readCost(redis, costKeys.customerDay(prefix, 'alex_moore_1001', '2026-11-24'));
    expect(day.calls).toBe(3);
    const ttl = await redis.ttl(costKeys.conversation(prefix, 'c1'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(BUDGET_DEFAULTS.ledgerTtlSec);
    const dayTtl = await redis.ttl(costKeys.customerDay(prefix, 'alex_moore_1001', '2026-11-24'));
    expect(dayTtl).toBeGreaterThan(0);
    expect(dayTtl).toBeLessThanOrEqual(BUDGET_DEFAULTS.dailyTtlSec);
  });

  it('records a call id once, so a redelivered job is not billed twice', async () => {
    const rec = { queryId: 'q3', conversationId: 'c3', usd: 0.01, inputTokens: 10, outputTokens: 1, callId: 'q3:t0:reason' };
    expect(await recordCost(redis, prefix, rec)).toBe(true);
    expect(await recordCost(redis, prefix, rec)).toBe(false);
    expect(await readCost(redis, costKeys.conversation(prefix, 'c3'))).toMatchObject({ calls: 1, inputTokens: 10 });
  });

  it('checks token and cost budgets of a conversation and, optionally, a query', async () => {
    const c = { conversationId: 'c4', queryId: 'q4' };
    expect(await checkBudget(redis, prefix, c)).toMatchObject({ ok: true });
    await recordCost(redis, prefix, { ...c, usd: 0.05, inputTokens: 900, outputTokens: 100 });
    expect(await checkBudget(redis, prefix, c, { maxConversationTokens: 5_000, maxConversationUsd: 1 })).toMatchObject({ ok: true });
    expect(await checkBudget(redis, prefix, c, { maxConversationTokens: 1_000 })).toMatchObject({ ok: false, exceeded: 'token_budget' });
    expect(await checkBudget(redis, prefix, c, { maxConversationUsd: 0.05 })).toMatchObject({ ok: false, exceeded: 'cost_budget' });
    expect(await checkBudget(redis, prefix, c, { maxQueryTokens: 999 })).toMatchObject({ ok: false, exceeded: 'token_budget', query: { inputTokens: 900 } });
    expect(await checkBudget(redis, prefix, c, { maxQueryUsd: 0.01 })).toMatchObject({ ok: false, exceeded: 'cost_budget' });
  });

  it('records and checks in one call: the check sees this call, and a redelivered call adds nothing but is still checked', async () => {
    const rec = { queryId: 'q5', conversationId: 'c5', customerId: 'alex_moore_1001', day: '2026-11-25', usd: 0.02, inputTokens: 600, outputTokens: 40, callId: 'q5:t0:reason' };
    const first = await recordCostAndCheck(redis, prefix, rec, { maxConversationTokens: 1_000, maxQueryUsd: 1 });
    expect(first).toMatchObject({ recorded: true, budget: { ok: true, conversation: { inputTokens: 600, outputTokens: 40, calls: 1 }, query: { calls: 1 } } });
    expect(first.budget.conversation.usd).toBeCloseTo(0.02, 12);
    // Without a query limit the query's totals are not part of the answer (as checkBudget).
    expect(await recordCostAndCheck(redis, prefix, rec, { maxConversationTokens: 1_000 })).toEqual({
      recorded: false,
      budget: { ok: true, conversation: { usd: first.budget.conversation.usd, inputTokens: 600, outputTokens: 40, calls: 1 } },
    });
    // The second call's own spend is what reaches the limit.
    const second = await recordCostAndCheck(redis, prefix, { ...rec, callId: 'q5:t1:reason' }, { maxConversationTokens: 1_000 });
    expect(second).toMatchObject({ recorded: true, budget: { ok: false, exceeded: 'token_budget', conversation: { inputTokens: 1200, calls: 2 } } });
    expect(await recordCostAndCheck(redis, prefix, { ...rec, callId: 'q5:t2:reason', inputTokens: 0, outputTokens: 0 }, { maxQueryUsd: 0.05 })).toMatchObject({
      budget: { ok: false, exceeded: 'cost_budget', query: { calls: 3 } },
    });
    // The same totals as the separate reads, and the customer's day was billed too.
    expect(await readCost(redis, costKeys.conversation(prefix, 'c5'))).toMatchObject({ inputTokens: 1200, outputTokens: 80, calls: 3 });
    expect((await readCost(redis, costKeys.customerDay(prefix, 'alex_moore_1001', '2026-11-25'))).calls).toBe(3);
    expect(await redis.ttl(costKeys.query(prefix, 'q5'))).toBeGreaterThan(0);
  });

  it('adds to a ledger written before dollars were counted in nano-dollars (usd as a float field)', async () => {
    const key = costKeys.conversation(prefix, 'c6');
    await redis.hset(key, { usd: '0.0125', input: '1000', output: '100', calls: '2' });
    const r = await recordCostAndCheck(redis, prefix, { queryId: 'q6', conversationId: 'c6', usd: 0.0025, inputTokens: 10, outputTokens: 5 }, { maxConversationUsd: 0.015 });
    expect(r).toMatchObject({ recorded: true, budget: { ok: false, exceeded: 'cost_budget', conversation: { inputTokens: 1010, outputTokens: 105, calls: 3 } } });
    expect(r.budget.conversation.usd).toBeCloseTo(0.015, 12);
    expect((await readCost(redis, key)).usd).toBeCloseTo(0.015, 12);
  });

  it("bills the customer named in the conversation's hash, read by the recording script", async () => {
    const conv = `${prefix}:conv:c7`;
    const rec = { queryId: 'q7', conversationId: 'c7', day: '2026-11-26', usd: 0.001, inputTokens: 100, outputTokens: 10, customerFrom: { key: conv, field: 'customerId' } };
    // Not identified yet: no per-customer entry.
    await recordCostAndCheck(redis, prefix, { ...rec, callId: 'q7:t0:reason' });
    expect(await redis.exists(costKeys.customerDay(prefix, '', '2026-11-26'))).toBe(0);
    // An id with the characters redis-keys.ts escapes lands on the key it builds.
    await redis.hset(conv, 'customerId', 'sofia:li%9');
    await recordCostAndCheck(redis, prefix, { ...rec, callId: 'q7:t1:reason' });
    await recordCostAndCheck(redis, prefix, { ...rec, callId: 'q7:t1:reason' });
    const day = costKeys.customerDay(prefix, 'sofia:li%9', '2026-11-26');
    expect(await readCost(redis, day)).toMatchObject({ calls: 1, inputTokens: 100 });
    expect(await redis.ttl(day)).toBeLessThanOrEqual(BUDGET_DEFAULTS.dailyTtlSec);
    expect(await redis.ttl(day)).toBeGreaterThan(0);
    expect(await readCost(redis, costKeys.conversation(prefix, 'c7'))).toMatchObject({ calls: 2 });
    // customerId given wins over the hash.
    await recordCostAndCheck(redis, prefix, { ...rec, customerId: 'alex_moore_1001', callId: 'q7:t2:reason' });
    expect((await readCost(redis, costKeys.customerDay(prefix, 'alex_moore_1001', '2026-11-26'))).calls).toBe(1);
    expect((await readCost(redis, day)).calls).toBe(1);
  });

  it('reads budget limits from the environment', () => {
    expect(budgetLimitsFromEnv({})).toEqual({ maxConversationTokens: BUDGET_DEFAULTS.maxConversationTokens, maxConversationUsd: BUDGET_DEFAULTS.maxConversationUsd });
    expect(budgetLimitsFromEnv({ LLM_BUDGET_CONVERSATION_TOKENS: '1000', LLM_BUDGET_QUERY_USD: '0.2' })).toMatchObject({ maxConversationTokens: 1000, maxQueryUsd: 0.2 });
    expect(() => budgetLimitsFromEnv({ LLM_BUDGET_CONVERSATION_USD: 'lots' })).toThrow(/LLM_BUDGET/);
  });
});

describe('utcDay', () => {
  it('names the UTC day of any instant, remembered or not, on both sides of midnight', () => {
    const midnight = Date.UTC(2026, 10, 30);
    for (const ms of [midnight - 1, midnight, midnight + 1, midnight + 86_399_999, midnight + 86_400_000, midnight - 1, -1, 0, Date.UTC(1969, 11, 31, 12), Date.now()]) {
      expect(utcDay(ms)).toBe(new Date(ms).toISOString().slice(0, 10));
    }
    expect(() => utcDay(Number.NaN)).toThrow(RangeError);
  });
});
