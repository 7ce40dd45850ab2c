// Redis keeps hot state: once a query ends, its record, steps, loop history, DAG and event list
// get the short done-TTL, the conversation keeps its idle TTL, and an event written after the
// end (a delivery) does not give the ended query its long TTL back.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { DEFAULTS } from '@steward/core';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { createRedis } from './redis.ts';
import { QueryStore } from './queries.ts';
import { DagStore } from './dag.ts';
import { emitEvent } from './events.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('done-ttl');
const keys = createKeys(prefix);
const RETENTION = { queryDoneTtlSec: 120, conversationTtlSec: 7200 };
let redis: Redis;

beforeAll(() => {
  redis = createRedis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

describe('retention of an ended query', () => {
  it('gives its records the done-TTL at the end and keeps the conversation for its idle TTL', async () => {
    const queries = new QueryStore(redis, keys, RETENTION);
    const q = { queryId: 'q_done', conversationId: 'c_done', channel: 'api', text: 'where is my order', language: 'en' as const, traceId: 'a'.repeat(32), createdMs: 1000 };
    await queries.accept(q);
    await new DagStore(redis, keys).init(q.queryId, 0, [{ pending: 0, dependents: [] }]);
    await queries.advance(q.queryId, {
      from: { state: 'reasoning', turn: 0 },
      to: { state: 'acting', turn: 0 },
      steps: [{ role: 'assistant', content: null }],
      history: [{ kind: 'call' }],
    });
    const recordKeys = [keys.query(q.queryId), keys.querySteps(q.queryId), keys.queryHistory(q.queryId), keys.dag(q.queryId, 0)];
    for (const k of recordKeys) expect(await redis.ttl(k), k).toBeGreaterThan(RETENTION.queryDoneTtlSec);

    const data = { outcome: 'answered', reason: 'answered', rootSpanId: 'r', startMs: 1, endMs: 2, turns: 1, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, language: 'en' };
    const done = await queries.complete(
      { queryId: q.queryId, outcome: 'answered', reason: 'answered', state: 'completed', answer: 'It shipped.', event: { id: `${q.queryId}:completed`, type: 'query.completed', queryId: q.queryId, data } },
      q.conversationId,
    );
    expect(done.applied).toBe(true);
    for (const k of [...recordKeys, keys.queryEvents(q.queryId)]) {
      const ttl = await redis.ttl(k);
      expect(ttl, k).toBeGreaterThan(0);
      expect(ttl, k).toBeLessThanOrEqual(RETENTION.queryDoneTtlSec);
    }
    for (const k of [keys.conversation(q.conversationId), keys.conversationMessages(q.conversationId), keys.conversationQueries(q.conversationId)]) {
      expect(await redis.ttl(k), k).toBeGreaterThan(RETENTION.queryDoneTtlSec);
      expect(await redis.ttl(k), k).toBeLessThanOrEqual(RETENTION.conversationTtlSec);
    }

    // A later event of the ended query (e.g. its delivery) leaves the short TTL alone.
    await emitEvent(redis, keys, { id: `${q.queryId}:late`, type: 'query.completed', queryId: q.queryId, data });
    expect(await redis.ttl(keys.queryEvents(q.queryId))).toBeLessThanOrEqual(RETENTION.queryDoneTtlSec);
    // A query's first event still gets the running TTL.
    await emitEvent(redis, keys, { id: 'q_new:x', type: 'query.completed', queryId: 'q_new', data });
    expect(await redis.ttl(keys.queryEvents('q_new'))).toBeGreaterThan(DEFAULTS.queryTtlSec - 10);
  });
});
