import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { costKeys, readCost, utcDay } from '@steward/llm/ledger';
import { ConversationStore, createKeys, createRedis, readQueryEvents } from '@steward/store';
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
    expect(r).toEqual({ query: {}, budget: undefined, confirmation: undefined });
    expect((await readQueryEvents(redis, keys, queryId)).map((e) => e.type)).toEqual(['llm.call']);
    expect(await redis.exists(costKeys.query(keys.prefix, queryId))).toBe(0);
  });
});
