import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { ChatMessage } from '@steward/core';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { createRedis } from './redis.ts';
import { ConversationStore } from './conversations.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('compact');
const keys = createKeys(prefix);
let redis: Redis;
let conversations: ConversationStore;

beforeAll(() => {
  redis = createRedis(url);
  conversations = new ConversationStore(redis, keys);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

const fold = (summary: string, evicted: ChatMessage[]): string => [summary, ...evicted.map((m) => m.content ?? '')].filter(Boolean).join(' | ');

async function conversationOf(id: string, n: number): Promise<void> {
  await redis.rpush(keys.conversationMessages(id), ...Array.from({ length: n }, (_, i) => JSON.stringify({ role: 'user', content: `m${i}` })));
}

describe('ConversationStore.compact', () => {
  it('folds the messages beyond the verbatim window into the summary', async () => {
    await conversationOf('c_fold', 5);
    await conversations.compact('c_fold', 3, fold);
    expect((await conversations.get('c_fold')).messages.map((m) => m.content)).toEqual(['m2', 'm3', 'm4']);
    expect((await conversations.get('c_fold')).summary).toBe('m0 | m1');
  });

  it('reads nothing when the known length is within the window, and compacts from the list when it is not', async () => {
    await conversationOf('c_known', 5);
    // A length the caller read just before (the completion script's) within the window: no read, no change.
    await conversations.compact('c_known', 3, fold, 3);
    expect(await redis.llen(keys.conversationMessages('c_known'))).toBe(5);
    // Beyond the window: the list's own length decides what is evicted.
    await conversations.compact('c_known', 3, fold, 4);
    expect((await conversations.get('c_known')).messages.map((m) => m.content)).toEqual(['m2', 'm3', 'm4']);
  });
});
