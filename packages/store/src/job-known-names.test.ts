// The job prelude's one-trip read of a query's conversation and its learned names, against real
// Redis: the names key the script builds must be the one emitEvent writes, escapes included.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nameRevealingToolCall } from '@steward/telemetry';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { emitEvent } from './events.ts';
import { jobKnownNames } from './job-known-names.ts';
import { createKeys } from './keys.ts';
import { QueryStore } from './queries.ts';
import { createRedis } from './redis.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('job-known-names');
const keys = createKeys(prefix);
let redis: Redis;

beforeAll(() => {
  redis = createRedis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

async function conversation(conversationId: string, queryId: string): Promise<void> {
  const queries = new QueryStore(redis, keys);
  await queries.accept({ queryId, conversationId, channel: 'api', text: 'hello', language: 'en', traceId: 'e'.repeat(32), createdMs: Date.now() });
  await emitEvent(redis, keys, nameRevealingToolCall(queryId, conversationId));
}

describe('jobKnownNames', () => {
  it('reads the conversation from the query and its names in one trip, escaped ids included', async () => {
    for (const [conversationId, queryId] of [
      ['c_plain', 'q_plain'],
      ['tg:5252:100%', 'q:esc'],
    ] as const) {
      await conversation(conversationId, queryId);
      const want = (await redis.smembers(keys.conversationNames(conversationId))).sort();
      expect(want.length).toBeGreaterThan(0);
      const got = await jobKnownNames(redis, keys, queryId, undefined);
      expect(got.conversationId).toBe(conversationId);
      expect(got.names.sort()).toEqual(want);
    }
  });

  it('uses the payload’s conversation when it has one, and knows nothing of an unknown query', async () => {
    await conversation('c_given', 'q_given');
    const want = (await redis.smembers(keys.conversationNames('c_given'))).sort();
    expect((await jobKnownNames(redis, keys, 'q_other', 'c_given')).names.sort()).toEqual(want);
    expect(await jobKnownNames(redis, keys, 'q_missing', undefined)).toEqual({ conversationId: undefined, names: [] });
    expect(await jobKnownNames(redis, keys, undefined, undefined)).toEqual({ conversationId: undefined, names: [] });
  });
});
