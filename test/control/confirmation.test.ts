import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { ConversationStore, createKeys, createRedis } from '@steward/store';
import type { Redis } from 'ioredis';
import { startControlPlane, type ControlPlane } from '../helpers/control-harness.ts';
import { testTools } from '../helpers/test-tools.ts';

// Confirmation before consequential actions, on the real controller and tool-worker: a write
// runs only when the customer's latest message confirms exactly the action listed to them.
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

describe('confirmation policy', () => {
  it('asks first, then runs the write after the yes', async () => {
    const conversationId = 'c_confirm_ok';
    const ask = await cp.runTurn([{ name: 'update', arguments: { key: 'A' } }], { conversationId, text: 'please update A' });
    expect(ask.events).toHaveLength(0);
    const asked = (await cp.queries.steps(ask.queryId)).filter((s) => s.role === 'tool');
    expect(asked[0]!.content).toMatch(/^Confirmation required/);
    expect(await redis.hget(counters, 'update:A')).toBeNull();
    expect((await convs.get(conversationId)).pendingConfirmation).toBeTruthy();

    const yes = await cp.runTurn([{ name: 'update', arguments: { key: 'A' } }], { conversationId, text: 'Yes, go ahead' });
    expect(yes.events.map((e) => e.ok)).toEqual([true]);
    expect(await redis.hget(counters, 'update:A')).toBe('1');
    // The confirmation is spent: the same action again needs another yes.
    expect((await convs.get(conversationId)).pendingConfirmation).toBeNull();
  });

  it('refuses when the yes was for a different item', async () => {
    const conversationId = 'c_confirm_other';
    await cp.runTurn([{ name: 'update', arguments: { key: 'B' } }], { conversationId, text: 'update B please' });
    const yes = await cp.runTurn([{ name: 'update', arguments: { key: 'C' } }], { conversationId, text: 'yes' });
    expect(yes.events).toHaveLength(0);
    const msgs = (await cp.queries.steps(yes.queryId)).filter((s) => s.role === 'tool');
    expect(msgs[0]!.content).toMatch(/^Confirmation required/);
    expect(await redis.hget(counters, 'update:C')).toBeNull();
    expect(await redis.hget(counters, 'update:B')).toBeNull();
  });

  it('refuses when the latest message is not an explicit yes', async () => {
    const conversationId = 'c_confirm_no';
    await cp.runTurn([{ name: 'update', arguments: { key: 'D' } }], { conversationId, text: 'update D' });
    await cp.runTurn([{ name: 'update', arguments: { key: 'D' } }], { conversationId, text: 'no, wait' });
    expect(await redis.hget(counters, 'update:D')).toBeNull();
  });
});
