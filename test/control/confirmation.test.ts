import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { ConversationStore, createKeys, createRedis } from '@steward/store';
import type { Redis } from 'ioredis';
import { startControlPlane, type ControlPlane } from '../helpers/control-harness.ts';
import { testTools } from '../helpers/test-tools.ts';

// Confirmation before consequential actions, on the real controller and tool-worker over real
// queues, with the model's turns scripted as decide jobs: a write runs only when an earlier
// agent message listed exactly it and a later message of the same customer said yes.
const url = inject('redisUrl');
const prefix = uniquePrefix('confirm');
const counters = `${prefix}:counters`;
let cp: ControlPlane;
let redis: Redis;
let convs: ConversationStore;

beforeAll(async () => {
  redis = createRedis(url);
  convs = new ConversationStore(redis, createKeys(prefix));
  cp = await startControlPlane({ redisUrl: url, prefix, tools: testTools(redis, counters), requireConfirmation: true });
});
afterAll(async () => {
  await cp.close();
  await deletePrefix(url, prefix);
  redis.disconnect();
});

const update = (key: string) => [{ name: 'update', arguments: { key } }];
const toolResults = async (queryId: string) => (await cp.queries.steps(queryId)).filter((s) => s.role === 'tool').map((s) => String(s.content));

/** One query that proposes the write, is refused, and answers by listing it (the question). */
async function ask(conversationId: string, key: string, text: string, customerId = 'cust_1'): Promise<string> {
  const run = await cp.runTurn(update(key), { conversationId, text, customerId });
  expect(run.events).toHaveLength(0);
  expect((await toolResults(run.queryId))[0]).toMatch(/^Confirmation required/);
  await cp.answer(run.queryId, 1, `Please confirm: update item ${key}. Reply yes or no.`);
  return run.queryId;
}

describe('confirmation policy through the controller', () => {
  it('English: asks first, then runs the write once after "Yes, go ahead"', async () => {
    const conversationId = 'c_confirm_en';
    await ask(conversationId, 'A', 'please update A');
    expect(await redis.hget(counters, 'update:A')).toBeNull();
    const yes = await cp.runTurn(update('A'), { conversationId, text: 'Yes, go ahead', customerId: 'cust_1' });
    expect(yes.events.map((e) => e.ok)).toEqual([true]);
    expect(await redis.hget(counters, 'update:A')).toBe('1');
    // The confirmation is spent: the same action again needs another yes.
    expect((await convs.get(conversationId)).pendingConfirmation).toBeNull();
  });

  it('Mandarin: 确认 after the listed action runs it', async () => {
    const conversationId = 'c_confirm_zh';
    await ask(conversationId, 'Z', '请帮我更新 Z');
    const yes = await cp.runTurn(update('Z'), { conversationId, text: '是的，确认', customerId: 'cust_1' });
    expect(yes.events.map((e) => e.ok)).toEqual([true]);
    expect(await redis.hget(counters, 'update:Z')).toBe('1');
  });

  it('1a: a "yes" in the first message does not confirm the action refused in the same query', async () => {
    const run = await cp.runTurn(update('E'), { conversationId: 'c_confirm_1a', text: 'Yes, update E, I ordered it by mistake', customerId: 'cust_1' });
    expect(run.events).toHaveLength(0);
    const again = await cp.continueTurn(run.queryId, 1, update('E'));
    expect(again.events).toHaveLength(0);
    expect((await toolResults(run.queryId)).every((r) => r.startsWith('Confirmation required'))).toBe(true);
    expect(await redis.hget(counters, 'update:E')).toBeNull();
  });

  it('1b: after "yes" another item than the listed one is refused; a reference is refused outright', async () => {
    const conversationId = 'c_confirm_1b';
    await ask(conversationId, 'B', 'update B please');
    const yes = await cp.runTurn(update('C'), { conversationId, text: 'yes', customerId: 'cust_1' });
    expect(yes.events).toHaveLength(0);
    const ref = await cp.continueTurn(yes.queryId, 1, [
      { name: 'lookup', arguments: { key: 'B' } },
      { name: 'update', arguments: { key: '$call:0' } },
    ]);
    expect((await toolResults(ref.queryId)).at(-1)).toMatch(/references are not allowed/);
    expect(await redis.hget(counters, 'update:C')).toBeNull();
    expect(await redis.hget(counters, 'update:B')).toBeNull();
  });

  it('1c: "no, keep it" cancels the pending action; a later "ok" does not run it', async () => {
    const conversationId = 'c_confirm_1c';
    await ask(conversationId, 'D', 'update D');
    const no = await cp.runTurn([{ name: 'lookup', arguments: { key: 'D' } }], { conversationId, text: 'no, keep it', customerId: 'cust_1' });
    await cp.answer(no.queryId, 1, 'Alright, I will leave item D as it is.');
    const ok = await cp.runTurn(update('D'), { conversationId, text: 'ok', customerId: 'cust_1' });
    expect(ok.events).toHaveLength(0);
    expect(await redis.hget(counters, 'update:D')).toBeNull();
  });
});
