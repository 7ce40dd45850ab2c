import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { createRedis } from './redis.ts';
import { ConversationStore } from './conversations.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('convstore');
const keys = createKeys(prefix);
const TTL = 600;
let redis: Redis;
let conversations: ConversationStore;

beforeAll(() => {
  redis = createRedis(url);
  conversations = new ConversationStore(redis, keys, TTL);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

describe('ConversationStore writes (scripts, not MULTI)', () => {
  it('setFields writes the fields, keeps the others and gives the hash its TTL again', async () => {
    const key = keys.conversation('c_fields');
    await redis.hset(key, 'customerId', 'u1', 'summary', 'old');
    await redis.expire(key, 5);
    await conversations.setFields('c_fields', { promptPrefix: 'a,b', memory: '{"m":1}' });
    expect(await redis.hgetall(key)).toEqual({ customerId: 'u1', summary: 'old', promptPrefix: 'a,b', memory: '{"m":1}' });
    expect(await redis.ttl(key)).toBeGreaterThan(TTL - 5);
    await conversations.setMemory('c_fields', '{"m":2}');
    expect(await conversations.memory('c_fields')).toBe('{"m":2}');
  });

  it('setFields creates the hash of a new conversation with the TTL', async () => {
    await conversations.setFields('c_new', { promptPrefix: 'x' });
    const s = await conversations.get('c_new');
    expect(s.promptPrefix).toBe('x');
    expect(await redis.ttl(keys.conversation('c_new'))).toBeGreaterThan(TTL - 5);
  });

  it('appendTranscript appends in order, keeps the last 2,000 and renews the TTL', async () => {
    const key = keys.conversationTranscript('c_tr');
    await redis.rpush(key, ...Array.from({ length: 1999 }, (_, i) => JSON.stringify({ role: 'user', content: `old${i}` })));
    await conversations.appendTranscript('c_tr', [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
    ]);
    const t = await conversations.transcript('c_tr');
    expect(t).toHaveLength(2000);
    expect(t[0]?.content).toBe('old1');
    expect(t.slice(-2).map((m) => m.content)).toEqual(['q', 'a']);
    expect(await redis.ttl(key)).toBeGreaterThan(TTL - 5);
  });
});
