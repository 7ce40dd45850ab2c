import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { costKeys, type BudgetLimits } from '@steward/llm/ledger';
import { QueryStore, createKeys, createRedis } from '@steward/store';
import type { OptimisticStep } from '@steward/steps';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { writeLlmCall, type LlmCallWrite } from './llm-call-script.ts';

// The call script's budget check (`within`, Lua) against the ledger's rule (budgetAfter, TS) on the
// very same recording, at and around every boundary the rule has: the sum of input AND output
// tokens, the conversation's totals over several queries, the query's own limits, dollars summed
// from nano-dollars plus an older ledger's float `usd` field, limits of 0, and a call id recorded
// twice (the second records nothing and is judged on the totals as they are). A seeded generator,
// so a failure names a case that can be replayed.
const url = inject('redisUrl');
const prefix = uniquePrefix('within-edges');
const keys = createKeys(prefix);
let redis: Redis;

beforeAll(() => {
  redis = createRedis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const queries = () => new QueryStore(redis, keys);

function advanceStep(queryId: string): OptimisticStep {
  const member = JSON.stringify({ queue: 'reasoning', jobId: `${queryId}:t1:reason`, data: { queryId, turn: 1 } });
  const { keys: k, argv } = queries().advanceArgs(queryId, { from: { state: 'reasoning', turn: 0 }, to: { state: 'reasoning', turn: 1 }, incr: {}, steps: [], jobs: [member] });
  return { kind: 'advance', transition: {} as OptimisticStep['transition'], turn: 0, budget: true, keys: k, argv, relay: [member], answer: '', doneTtl: queries().doneTtlArgs(queryId) };
}

function write(queryId: string, conversationId: string, c: { usd: number; input: number; output: number; callId: string }, limits: Partial<BudgetLimits>, step: boolean): ReturnType<typeof writeLlmCall> {
  const w: LlmCallWrite = {
    queryKey: keys.query(queryId),
    event: { id: `${queryId}:${c.callId}:llm`, type: 'llm.call', queryId, conversationId, ts: 1, data: { turn: 0, spanId: 's', model: 'm', provider: 'p', startMs: 0, endMs: 1, inputTokens: c.input, outputTokens: c.output, costUsd: c.usd, proposal: 'x' } },
    cost: { prefix: keys.prefix, record: { queryId, conversationId, usd: c.usd, inputTokens: c.input, outputTokens: c.output, callId: c.callId }, limits },
    ...(step ? { step: advanceStep(queryId) } : {}),
  };
  return writeLlmCall(redis, keys, w);
}

describe('the call script\'s budget check equals the ledger\'s rule', () => {
  it('on 300 generated recordings at, just under and just over every limit', async () => {
    const next = rng(17);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const usds = [0, 0.1, 0.2, 0.3, 0.000_000_001, 0.000_000_000_4, 1 / 3, 0.25, 2.5] as const;
    let stopped = 0;
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const conversationId = `c_w${i}`;
      const queryId = `q_w${i}`;
      // Earlier calls of the conversation (other queries) and of this query.
      const before = Math.floor(next() * 3);
      for (let k = 0; k < before; k++) {
        await write(next() < 0.5 ? queryId : `q_w${i}_prior${k}`, conversationId, { usd: pick(usds), input: Math.floor(next() * 300), output: Math.floor(next() * 50), callId: `prior${k}` }, {}, false);
      }
      // An older ledger's float field, still summed by both sides.
      if (next() < 0.2) await redis.hset(costKeys.conversation(keys.prefix, conversationId), 'usd', String(pick(usds)));
      if (next() < 0.2) await redis.hset(costKeys.query(keys.prefix, queryId), 'usd', String(pick(usds)));
      const call = { usd: pick(usds), input: Math.floor(next() * 300), output: Math.floor(next() * 50), callId: next() < 0.1 && before > 0 ? 'prior0' : 'now' };
      // Where the totals will be after this call: read them with a throwaway recording-free probe.
      await redis.hset(keys.query(queryId), { queryId, conversationId, status: 'running', state: 'reasoning', turn: '0' });
      const probe = await write(`${queryId}_probe`, conversationId, { usd: 0, input: 0, output: 0, callId: `probe${i}` }, {}, false);
      const conv = probe.budget!.conversation;
      const qNow = probe.budget!.query;
      const convTokens = conv.inputTokens + conv.outputTokens + (call.callId === 'now' ? call.input + call.output : 0);
      const convUsd = conv.usd + (call.callId === 'now' ? Math.round(call.usd * 1e9) / 1e9 : 0);
      const around = (x: number, step: number) => pick([x, x + step, Math.max(0, x - step), 0]);
      const which = pick(['convTokens', 'convUsd', 'queryTokens', 'queryUsd'] as const);
      const limits: Partial<BudgetLimits> = { maxConversationTokens: 1e9, maxConversationUsd: 1e6 };
      if (which === 'convTokens') limits.maxConversationTokens = around(convTokens, 1);
      if (which === 'convUsd') limits.maxConversationUsd = around(convUsd, pick([1e-9, 1e-12]));
      if (which === 'queryTokens') limits.maxQueryTokens = Math.max(0, around(convTokens, 1) - Math.floor(next() * 200));
      if (which === 'queryUsd') limits.maxQueryUsd = around(convUsd, 1e-9);
      void qNow;
      const r = await write(queryId, conversationId, call, limits, true);
      const ruleSays = r.budget?.ok === false;
      expect({ i, which, limits, call, refused: r.refused === 'budget' }).toEqual({ i, which, limits, call, refused: ruleSays });
      expect(await redis.hget(keys.query(queryId), 'turn')).toBe(ruleSays ? '0' : '1');
      if (ruleSays) stopped++;
      seen.add(`${which}:${ruleSays}`);
    }
    // Both sides of every kind of limit were exercised.
    expect([...seen].sort()).toEqual(['convTokens:false', 'convTokens:true', 'convUsd:false', 'convUsd:true', 'queryTokens:false', 'queryTokens:true', 'queryUsd:false', 'queryUsd:true']);
    expect(stopped).toBeGreaterThan(30);
  });
});
