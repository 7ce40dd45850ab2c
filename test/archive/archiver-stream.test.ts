import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { createDb, type Db } from '@steward/archive';
import { loadConfig } from '@steward/core';
import { postgresUnavailable, testDatabase, type TestDatabase } from '@steward/archive/testing';
import { archiverRole, renderArchiverMetrics, runRetentionNow, startArchiver, type Archiver } from '@steward/archiver';
import { createKeys, createRedis } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { until } from './helpers.ts';

// The archiver against a real stream and a real PostgreSQL, fed by hand-written events: unknown
// event types, unreadable entries, erased conversations, retention by its BullMQ job.
const url = inject('redisUrl');
const prefix = uniquePrefix('archs');
const keys = createKeys(prefix);
const DAY = 86_400_000;
let pgdb: TestDatabase;
let db: Db;
let redis: Redis;
let archiver: Archiver;

const emit = (e: Record<string, unknown>) => redis.xadd(keys.events, '*', 'e', JSON.stringify(e));
const accepted = (q: string, c: string, ts: number) => ({ id: `${q}:accepted`, type: 'query.accepted', ts, queryId: q, conversationId: c, data: { channel: 'api', language: 'en' } });
const tool = (q: string, c: string, ts: number, i: number) => ({
  id: `${q}:t0:c${i}:tool`,
  type: 'tool.call',
  ts,
  queryId: q,
  conversationId: c,
  data: { turn: 0, index: i, callId: `call_${i}`, spanId: 's', name: 'get_order_details', startMs: ts - 5, endMs: ts, cacheHit: false, ok: true, arguments: { order_id: '#W1000001' }, result: '{}' },
});

describe.skipIf(postgresUnavailable !== undefined)(`archiver on the event stream${postgresUnavailable ? ` (skipped: ${postgresUnavailable})` : ''}`, () => {
  beforeAll(async () => {
    pgdb = await testDatabase('stream');
    redis = createRedis(url);
    archiver = await startArchiver({
      redisUrl: url,
      prefix,
      databaseUrl: pgdb.url,
      schema: pgdb.schema,
      retention: 'conversations=30d,steps=7d,events=7d',
      retentionEveryMs: 0,
      blockMs: 100,
      log: createLogger({ service: 'archive-test', level: 'warn' }),
    });
    db = createDb(pgdb.url, pgdb.schema);
  });
  afterAll(async () => {
    await archiver?.close();
    await db?.end();
    redis?.disconnect();
    await deletePrefix(url, prefix);
    await pgdb?.drop();
  });

  it('keeps events of types it does not know and acks unreadable entries', async () => {
    const now = Date.now();
    await emit(accepted('q_u1', 'c_u1', now));
    await emit({ id: 'q_u1:kernel', type: 'kernel.applied', ts: now + 1, queryId: 'q_u1', conversationId: 'c_u1', data: { to: 'reasoning' } });
    await redis.xadd(keys.events, '*', 'e', 'not json');
    await until(async () => (await db.query("SELECT 1 FROM events WHERE id = 'q_u1:kernel'")).rowCount === 1, 10_000, 'the unknown event');
    const row = await db.query("SELECT type, data FROM events WHERE id = 'q_u1:kernel'");
    expect(row.rows[0]).toEqual({ type: 'kernel.applied', data: { to: 'reasoning' } });
    await until(async () => archiver.stats().invalid === 1, 5_000, 'the unreadable entry');
    const pending = (await redis.call('XPENDING', keys.events, 'archiver')) as [number];
    expect(Number(pending[0])).toBe(0);
  });

  it('redacts personal data in free text by default and keeps customer and order ids', async () => {
    const now = Date.now();
    await redis.hset(keys.query('q_r1'), { queryId: 'q_r1', conversationId: 'c_r1', customerId: 'cust_1', text: 'I am at 12 Oak Street, mail me at a.b@example.com about #W1234567', createdMs: now, channel: 'api', language: 'en' });
    await emit(accepted('q_r1', 'c_r1', now));
    const msg = await until(async () => (await db.query("SELECT content FROM messages WHERE id = 'q_r1:user'")).rows[0] as { content: string } | undefined, 10_000, 'the message');
    expect(msg.content).not.toContain('a.b@example.com');
    expect(msg.content).not.toContain('12 Oak Street');
    expect(msg.content).toContain('#W1234567');
    const conv = await db.query("SELECT customer_id FROM conversations WHERE id = 'c_r1'");
    expect(conv.rows[0]).toEqual({ customer_id: 'cust_1' });
    const orders = await db.query("SELECT order_id FROM conversation_orders WHERE conversation_id = 'c_r1'");
    expect(orders.rows).toEqual([{ order_id: '#W1234567' }]);
  });

  it('does not archive again a conversation that was erased', async () => {
    await db.query("INSERT INTO erased_conversations (conversation_id) VALUES ('c_gone')");
    const now = Date.now();
    await emit(accepted('q_g1', 'c_gone', now));
    await emit(accepted('q_after', 'c_after', now));
    await until(async () => (await db.query("SELECT 1 FROM conversations WHERE id = 'c_after'")).rowCount === 1, 10_000, 'the later conversation');
    expect((await db.query("SELECT 1 FROM events WHERE conversation_id = 'c_gone' OR id LIKE 'q_g1%'")).rowCount).toBe(0);
    expect((await db.query("SELECT 1 FROM conversations WHERE id = 'c_gone'")).rowCount).toBe(0);
  });

  it('removes what is older than the retention through the scheduled job, and counts it', async () => {
    const now = Date.now();
    await emit(accepted('q_old', 'c_old', now - 40 * DAY));
    await emit(tool('q_old', 'c_old', now - 40 * DAY, 0));
    await emit(accepted('q_new', 'c_new', now - 10 * DAY));
    await emit(tool('q_new', 'c_new', now - 10 * DAY, 0));
    await emit(tool('q_new', 'c_new', now, 1));
    await until(async () => (await db.query("SELECT 1 FROM steps WHERE id = 'q_new:t0:c1:tool'")).rowCount === 1, 10_000, 'the events');
    await runRetentionNow(redis, prefix);
    await until(async () => (archiver.stats().retentionRemoved.conversations ?? 0) > 0, 15_000, 'a retention run');

    expect((await db.query("SELECT id FROM conversations WHERE id IN ('c_old', 'c_new')")).rows).toEqual([{ id: 'c_new' }]);
    // Rows of the removed conversation went with it; the recent conversation lost only its old steps.
    expect((await db.query("SELECT id FROM steps WHERE conversation_id IN ('c_old', 'c_new') ORDER BY id")).rows).toEqual([{ id: 'q_new:t0:c1:tool' }]);
    expect((await db.query("SELECT 1 FROM queries WHERE id = 'q_new'")).rowCount).toBe(1);
    const removed = archiver.stats().retentionRemoved;
    // Steps go first (both older than 7 days), then the conversation older than 30 days.
    expect(removed.steps).toBe(2);
    expect(removed.conversations).toBe(1);
    expect(renderArchiverMetrics(archiver.stats())).toContain(`steward_archive_retention_rows_removed_total{table="conversations"} ${removed.conversations}`);
  });

  it('is off without DATABASE_URL', () => {
    expect(archiverRole(loadConfig({}).archive)).toBeUndefined();
    expect(archiverRole(loadConfig({ DATABASE_URL: pgdb.url }).archive)).toBeTypeOf('function');
  });
});
