import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { createRedis } from './redis.ts';
import { QueryStore, type NewQuery } from './queries.ts';
import { ConversationStore } from './conversations.ts';
import { loadTurn } from './turn-state.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('turnstate');
const keys = createKeys(prefix);
let redis: Redis;
let queries: QueryStore;
let conversations: ConversationStore;

beforeAll(() => {
  redis = createRedis(url);
  queries = new QueryStore(redis, keys);
  conversations = new ConversationStore(redis, keys);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

const newQuery = (queryId: string, conversationId: string): NewQuery => ({
  queryId,
  conversationId,
  channel: 'api',
  text: 'where is my order #W1234567',
  language: 'en',
  traceId: 'b'.repeat(32),
  createdMs: 1000,
});

describe('loadTurn', () => {
  it('reads what the separate reads do: the query, its conversation with the messages, and its steps', async () => {
    const q = newQuery('q_turn1', 'c_turn1');
    await queries.accept(q, 30_000, 2_000);
    await conversations.setFields(q.conversationId, { memory: '{"requests":[]}', promptPrefix: 'aaa bbb', customerId: 'alex_moore_1001' });
    await queries.advance(q.queryId, {
      from: { state: 'reasoning', turn: 0 },
      to: { state: 'acting', turn: 0 },
      steps: [{ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_order_details', arguments: '{"order_id":"#W1234567"}' } }] }],
    });
    const t = await loadTurn({ redis, keys }, q.queryId);
    expect(t).not.toBeNull();
    expect(t!.query).toEqual(await queries.get(q.queryId));
    expect(t!.conversation).toEqual(await conversations.get(q.conversationId));
    expect(t!.steps).toEqual(await queries.steps(q.queryId));
    expect(t!.steps).toHaveLength(1);
    expect(t!.conversation).toMatchObject({ customerId: 'alex_moore_1001', promptPrefix: 'aaa bbb', messages: [{ role: 'user', content: q.text }] });
  });

  it('builds the conversation keys as redis-keys.ts does for an id with : and %', async () => {
    const q = newQuery('q_turn2', 'slack.T1:C%2');
    await redis.hset(keys.query(q.queryId), { queryId: q.queryId, conversationId: q.conversationId, channel: 'api', text: 'hi', language: 'en', traceId: q.traceId, createdMs: 1, status: 'running', state: 'reasoning', turn: 0 });
    await conversations.setFields(q.conversationId, { summary: 'earlier: a return' });
    await redis.rpush(keys.conversationMessages(q.conversationId), JSON.stringify({ role: 'user', content: 'hi' }));
    const t = await loadTurn({ redis, keys }, q.queryId);
    expect(t!.conversation).toEqual(await conversations.get(q.conversationId));
    expect(t!.conversation).toMatchObject({ summary: 'earlier: a return', messages: [{ role: 'user', content: 'hi' }] });
    expect(t!.steps).toEqual([]);
  });

  it('answers whether the key it was given exists, in the same read', async () => {
    const q = newQuery('q_turn3', 'c_turn3');
    await queries.accept(q, 30_000, 2_000);
    const other = `${prefix}:control:${q.queryId}:t0:decide`;
    expect((await loadTurn({ redis, keys }, q.queryId, { existsKey: other }))?.keyExists).toBe(false);
    await redis.hset(other, 'name', 'control');
    const t = await loadTurn({ redis, keys }, q.queryId, { existsKey: other });
    expect(t?.keyExists).toBe(true);
    expect(t?.query).toEqual(await queries.get(q.queryId));
    // Not asked: false, and the rest is read as before.
    expect((await loadTurn({ redis, keys }, q.queryId))?.keyExists).toBe(false);
  });

  it('answers null for a query that does not exist', async () => {
    expect(await loadTurn({ redis, keys }, 'q_missing')).toBeNull();
  });
});
