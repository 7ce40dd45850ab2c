import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { ConversationStore, createKeys, createRedis } from '@steward/store';
import { parseMemory, renderMemory } from '@steward/context';
import type { Redis } from 'ioredis';
import { startControlPlane, type ControlPlane } from '../helpers/control-harness.ts';
import { testTools } from '../helpers/test-tools.ts';

// The controller's observe step folds every turn's tool results into the conversation's working
// memory (real controller, tool-worker, BullMQ and Redis): what a later query's prompt shows.
const url = inject('redisUrl');
const prefix = uniquePrefix('wmem');
let cp: ControlPlane;
let redis: Redis;
let convs: ConversationStore;

beforeAll(async () => {
  redis = createRedis(url);
  convs = new ConversationStore(redis, createKeys(prefix));
  cp = await startControlPlane({ redisUrl: url, prefix, tools: testTools(redis, `${prefix}:counters`), requireConfirmation: true });
});
afterAll(async () => {
  await cp.close();
  await deletePrefix(url, prefix);
  redis.disconnect();
});

describe('working memory across queries', () => {
  it('keeps read ids and the held-back write with its exact arguments until the yes runs it', async () => {
    const conversationId = 'c_wmem';
    // Each query ends with the agent's answer, as the pipeline's would: the next one of the
    // conversation starts only then.
    const read = await cp.runTurn([{ name: 'get_product_info', arguments: { product_id: '6086499569' } }], { conversationId, text: 'tell me about 6086499569' });
    await cp.answer(read.queryId, 1, 'Product 6086499569 is the Test product.');
    const ask = await cp.runTurn([{ name: 'update', arguments: { key: 'A' } }], { conversationId, text: 'please update A' });
    const held = parseMemory((await convs.get(conversationId)).memory);
    const text = renderMemory(held, { model: 'gpt-4o', maxTokens: 2000 }).text;
    expect(text).toContain('Product product_id 6086499569 Test product');
    expect(text).toContain(`Awaiting the customer's yes (proposed, not done): update {"key":"A"}`);
    // Stored with the conversation, so it expires with it.
    expect(await redis.ttl(createKeys(prefix).conversation(conversationId))).toBeGreaterThan(0);

    await cp.answer(ask.queryId, 1, 'I will update A. Shall I go ahead? Please say yes.');
    await cp.runTurn([{ name: 'update', arguments: { key: 'A' } }], { conversationId, text: 'Yes, go ahead' });
    const after = parseMemory((await convs.get(conversationId)).memory);
    expect(after.seq).toBe(held.seq + 1);
    expect(after.pending).toEqual([]);
    expect(renderMemory(after, { model: 'gpt-4o', maxTokens: 2000 }).text).toContain('Product product_id 6086499569');
  });
});
