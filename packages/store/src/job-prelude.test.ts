// The job prelude's one-trip read (the query's conversation, its learned names, the query's hash)
// against real Redis: the names key the script builds must be the one emitEvent writes, escapes
// included, and a controller job's first QueryStore.get must take the hash instead of reading.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createLogger, nameRevealingToolCall } from '@steward/telemetry';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { emitEvent } from './events.ts';
import { readJobPrelude } from './job-prelude.ts';
import { createKeys } from './keys.ts';
import { QueryStore } from './queries.ts';
import { createRedis } from './redis.ts';
import { startWorker } from './worker.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('job-prelude');
const keys = createKeys(prefix);
let redis: Redis;
const both = { names: true, query: true };

beforeAll(() => {
  redis = createRedis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

async function conversation(conversationId: string, queryId: string): Promise<void> {
  const queries = new QueryStore(redis, keys);
  await queries.accept({
    queryId,
    conversationId,
    channel: 'api',
    text: 'hello',
    language: 'en',
    traceId: 'e'.repeat(32),
    createdMs: Date.now(),
  });
  await emitEvent(redis, keys, nameRevealingToolCall(queryId, conversationId));
}

describe('readJobPrelude', () => {
  it('reads the conversation from the query, its names and the query hash in one trip, escaped ids included', async () => {
    for (const [conversationId, queryId] of [
      ['c_plain', 'q_plain'],
      ['tg:5252:100%', 'q:esc'],
    ] as const) {
      await conversation(conversationId, queryId);
      const want = (await redis.smembers(keys.conversationNames(conversationId))).sort();
      expect(want.length).toBeGreaterThan(0);
      const got = await readJobPrelude(redis, keys, queryId, undefined, both);
      expect(got.conversationId).toBe(conversationId);
      expect(got.names.sort()).toEqual(want);
      expect(got.query).toEqual(await redis.hgetall(keys.query(queryId)));
    }
  });

  it('uses the payload’s conversation when it has one, reads only what is asked, knows nothing of an unknown query', async () => {
    await conversation('c_given', 'q_given');
    const want = (await redis.smembers(keys.conversationNames('c_given'))).sort();
    const given = await readJobPrelude(redis, keys, 'q_other', 'c_given', { names: true, query: false });
    expect(given.names.sort()).toEqual(want);
    expect(given).not.toHaveProperty('query');
    expect(await readJobPrelude(redis, keys, 'q_given', undefined, { names: false, query: false })).toEqual({
      conversationId: 'c_given',
      names: [],
    });
    expect(await readJobPrelude(redis, keys, 'q_missing', undefined, both)).toEqual({
      conversationId: undefined,
      names: [],
      query: {},
    });
    expect(await readJobPrelude(redis, keys, undefined, undefined, both)).toEqual({
      conversationId: undefined,
      names: [],
    });
  });
});

describe('a worker with preloadQuery', () => {
  it('hands the prelude’s hash to the job’s first get of its query, and reads Redis for the next', async () => {
    const p = `${prefix}-w`;
    const wkeys = createKeys(p);
    const conn = redis.duplicate({ maxRetriesPerRequest: null });
    const queries = new QueryStore(conn, wkeys);
    await queries.accept({
      queryId: 'q_pre',
      conversationId: 'c_pre',
      channel: 'api',
      text: 'hi',
      language: 'en',
      traceId: 'd'.repeat(32),
      createdMs: Date.now(),
    });
    const hgetall = vi.spyOn(conn, 'hgetall');
    const log = createLogger({ service: 'test-worker', level: 'silent', redact: true });
    const seen = new Promise<{ first: unknown; second: unknown; reads: number[]; other: unknown }>(
      (resolve, reject) => {
        const worker = startWorker(
          'control',
          async () => {
            try {
              const first = await queries.get('q_pre');
              const afterFirst = hgetall.mock.calls.length;
              await conn.hset(wkeys.query('q_pre'), 'turn', '5');
              const second = await queries.get('q_pre');
              // Another query in the same job is never served from the prelude.
              const other = await queries.get('q_absent');
              resolve({ first, second, reads: [afterFirst, hgetall.mock.calls.length], other });
            } catch (e) {
              reject(e instanceof Error ? e : new Error(String(e)));
            }
          },
          { connection: conn, prefix: p, concurrency: 1, log, preloadQuery: true },
        );
        afterAll(() => worker.close());
      },
    );
    const q = new Queue('control', {
      connection: redis.duplicate({ maxRetriesPerRequest: null }),
      prefix: p,
    });
    await q.add('deadline', { type: 'deadline', queryId: 'q_pre' }, { jobId: 'q_pre:q:deadline' });
    const r = await seen;
    await q.close();
    expect(r.first).toMatchObject({ queryId: 'q_pre', conversationId: 'c_pre' });
    expect(r.second).toMatchObject({ queryId: 'q_pre', turn: 5 });
    expect(r.other).toBeNull();
    // No HGETALL for the first get (the prelude's script read it); one each for the next two.
    expect(r.reads).toEqual([0, 2]);
  });
});

describe('a worker with prefetch', () => {
  it('sends the handler’s reads before the prelude is back and hands them over; a failed read fails the job, retryable', async () => {
    const p = `${prefix}-pf`;
    const conn = redis.duplicate({ maxRetriesPerRequest: null });
    const log = createLogger({ service: 'test-worker', level: 'silent', redact: true });
    await conn.set(`${p}:probe`, 'v1');
    const evalOf = conn.eval.bind(conn) as (...a: unknown[]) => Promise<unknown>;
    let preludeBack = false;
    vi.spyOn(conn, 'eval').mockImplementation((...a: unknown[]) => {
      preludeBack = false;
      return evalOf(...a).finally(() => (preludeBack = true));
    });
    const got: { queryId: string; prefetched: unknown; sentBeforePrelude: boolean }[] = [];
    const worker = startWorker<'control', string | null>(
      'control',
      async (data, _job, _token, prefetched) => {
        got.push({ queryId: data.queryId, prefetched, sentBeforePrelude: sent.get(data.queryId) ?? false });
      },
      {
        connection: conn,
        prefix: p,
        concurrency: 1,
        log,
        prefetch: (data) => {
          sent.set(data.queryId, !preludeBack);
          return data.queryId === 'q_bad' ? Promise.reject(new Error('read failed')) : conn.get(`${p}:probe`);
        },
      },
    );
    const sent = new Map<string, boolean>();
    const q = new Queue('control', { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix: p });
    try {
      await q.add('deadline', { type: 'deadline', queryId: 'q_bad' }, { jobId: 'q_bad:q:deadline', attempts: 2, backoff: { type: 'fixed', delay: 10 } });
      await q.add('deadline', { type: 'deadline', queryId: 'q_ok' }, { jobId: 'q_ok:q:deadline' });
      // Retried like a read that failed in the handler: both attempts ran (not unrecoverable), and
      // the job failed for good only after the second (the first failure alone sets the reason too).
      await vi.waitFor(async () => expect(await q.getJobState('q_bad:q:deadline')).toBe('failed'), { timeout: 5_000 });
      const bad = await q.getJob('q_bad:q:deadline');
      expect([bad?.failedReason, bad?.attemptsMade]).toEqual(['read failed', 2]);
      await vi.waitFor(() => expect(got).toHaveLength(1), { timeout: 5_000 });
      expect(got).toEqual([{ queryId: 'q_ok', prefetched: 'v1', sentBeforePrelude: true }]);
    } finally {
      await worker.close();
      await q.close();
      conn.disconnect();
      await deletePrefix(url, p);
    }
  });
});
