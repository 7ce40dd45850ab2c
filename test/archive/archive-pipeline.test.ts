import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createDb, type Db } from '@steward/archive';
import { postgresUnavailable, testDatabase, type TestDatabase } from '@steward/archive/testing';
import { startArchiver, type Archiver } from '@steward/archiver';
import { adminTokenOperator, archiveRoutes, debugTraceOf } from '@steward/ingress';
import { createKeys } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { IngressClient } from '../helpers/client.ts';
import { e2eData } from '../helpers/e2e-data.ts';
import { dumpRedis, dumpSchema, until, whereFound } from './helpers.ts';

// A conversation through the real pipeline (every service, the shop on the τ-bench data or, in a
// clone without ../shared, the generated catalog; the offline model) into a real PostgreSQL: complete, in order, once — with the archiver killed mid-stream and a
// second one taking its pending entries over — then found, exported, traced from the archive
// after Redis let go, and erased from every store.
const url = inject('redisUrl');
const prefix = uniquePrefix('arch');
const keys = createKeys(prefix);
const KEY = 'archive-test-key';
const ADMIN = 'archive-admin-token';
const data = e2eData();
const CUSTOMER = data.customer;
const EMAIL = data.customerEmail;
const NAME = data.customerName;
const ORDER = data.returnOrder.id;
const log = createLogger({ service: 'archive-test', level: 'warn' });

let pgdb: TestDatabase;
let db: Db;
let sys: RunningSystem;
let api: IngressClient;
let redis: Redis;
const archivers: Archiver[] = [];

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${sys.url}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, ...(init.headers ?? {}) } });

function archiver(name: string): Promise<Archiver> {
  return startArchiver({
    redisUrl: url,
    prefix,
    databaseUrl: pgdb.url,
    schema: pgdb.schema,
    // Kept as said, so the erasure test can see the name and email before and not after.
    pii: 'keep',
    hotTtlSec: 600,
    retentionEveryMs: 0,
    batchSize: 2,
    claimIdleMs: 500,
    blockMs: 200,
    consumerName: name,
    log,
  }).then((a) => (archivers.push(a), a));
}

describe.skipIf(postgresUnavailable !== undefined)(`archive end to end (${data.source} data)${postgresUnavailable ? ` (skipped: ${postgresUnavailable})` : ''}`, () => {
  let conversationId: string;
  let queryIds: string[] = [];

  beforeAll(async () => {
    pgdb = await testDatabase('pipeline');
    redis = new Redis(url);
    redis.on('error', () => undefined);
    db = createDb(pgdb.url, pgdb.schema);
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      apiKeys: KEY,
      adminToken: ADMIN,
      tracer: false,
      deliveries: false,
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
      ingressPlugins: [archiveRoutes({ db, operator: adminTokenOperator(ADMIN), debugTrace: (e) => debugTraceOf(e, { jaegerUrl: 'http://jaeger' }) })],
    });
    api = new IngressClient(sys.url, KEY);
  });
  afterAll(async () => {
    for (const a of archivers) await a.close().catch(() => undefined);
    await sys?.close();
    await db?.end();
    redis?.disconnect();
    await deletePrefix(url, prefix);
    await pgdb?.drop();
  });

  it('archives every message, step and write of a conversation, in order and once, across an archiver crash', async () => {
    conversationId = `c_arch_${Date.now()}`;
    const first = await archiver('archiver-a');
    // The first message runs while archiver A consumes; A dies mid-stream (nothing acked after that point).
    const posted = await api.post({
      conversationId,
      customerId: CUSTOMER,
      text: `Hi, I am ${NAME} (${EMAIL}). I want to return the ${data.returnOrder.itemName} from order ${ORDER}.`,
    });
    expect(posted.status).toBe(202);
    await until(async () => (await db.query('SELECT 1 FROM events')).rowCount! > 0, 20_000, 'archiver A to write something');
    await first.kill();
    const q1 = await api.waitFor(String(posted.json.queryId));
    expect(q1.outcome).toBe('answered');
    const q2 = await api.ask({ conversationId, customerId: CUSTOMER, text: 'Yes, please go ahead.' });
    expect(q2.outcome).toBe('answered');
    queryIds = [q1.queryId, q2.queryId];

    // A read entries just before it died: they sit pending under its name, never acked.
    await redis.call('XREADGROUP', 'GROUP', 'archiver', 'archiver-a', 'COUNT', 3, 'STREAMS', keys.events, '>');
    const pendingOfA = async () => {
      const consumers = (await redis.call('XINFO', 'CONSUMERS', keys.events, 'archiver')) as unknown[][];
      const a = consumers.map((c) => Object.fromEntries(Array.from({ length: c.length / 2 }, (_, i) => [String(c[2 * i]), c[2 * i + 1]]))).find((c) => c.name === 'archiver-a');
      return Number(a?.pending ?? 0);
    };
    expect(await pendingOfA()).toBeGreaterThan(0);

    // Archiver B takes A's pending entries over (XAUTOCLAIM) and reads the rest.
    const second = await archiver('archiver-b');
    const expected = new Map<string, string[]>();
    for (const q of queryIds) expected.set(q, (await redis.lrange(keys.queryEvents(q), 0, -1)).map((e) => (JSON.parse(e) as { id: string }).id));
    const allIds = [...new Set([...expected.values()].flat())];
    await until(
      async () => (await db.query('SELECT count(*)::int AS n FROM events WHERE id = ANY($1)', [allIds])).rows[0].n === allIds.length,
      30_000,
      'every event in the archive',
    );
    expect(second.stats().archived).toBeGreaterThan(0);
    await until(async () => (await pendingOfA()) === 0, 10_000, "A's pending entries to be taken over");

    // An event emitted again (a step redelivered after a crash) is archived once.
    const again = (await redis.lrange(keys.queryEvents(q1.queryId), 0, 0))[0]!;
    const before = second.stats().duplicates;
    await redis.xadd(keys.events, '*', 'e', again);
    await until(async () => second.stats().duplicates > before, 10_000, 'the repeated event to be seen');

    // Once: one row per event id, one step per step event, two messages per query.
    const events = await db.query<{ id: string; type: string; query_id: string }>('SELECT id, type, query_id FROM events WHERE conversation_id = $1', [conversationId]);
    expect(events.rows.map((e) => e.id).sort()).toEqual(allIds.sort());
    const stepEvents = events.rows.filter((e) => ['llm.call', 'tool.call', 'control.decision', 'handoff.created', 'audit.denied'].includes(e.type));
    const steps = await db.query('SELECT id FROM steps WHERE conversation_id = $1', [conversationId]);
    expect(steps.rowCount).toBe(stepEvents.length);

    const t = (await (await admin(`/v1/conversations/${conversationId}`)).json()) as {
      customerId: string;
      orders: string[];
      messages: { role: string; content: string; queryId: string }[];
      queries: { queryId: string; message: string; answer: string; outcome: string; steps: { kind: string; turn: number; name: string; arguments: unknown }[]; writes: { tool: string; idempotencyKey: string; ok: boolean }[] }[];
    };
    expect(t.customerId).toBe(CUSTOMER);
    expect(t.orders).toContain(ORDER);
    // In order: the customer's message then the agent's answer, query after query.
    expect(t.messages.map((m) => `${m.queryId}:${m.role}`)).toEqual([`${q1.queryId}:user`, `${q1.queryId}:assistant`, `${q2.queryId}:user`, `${q2.queryId}:assistant`]);
    expect(t.messages[2]!.content).toBe('Yes, please go ahead.');
    expect(t.queries.map((q) => q.queryId)).toEqual(queryIds);
    expect(t.queries[0]!.answer).toBe(q1.answer);
    for (const q of t.queries) {
      const turns = q.steps.map((s) => s.turn);
      expect(turns).toEqual([...turns].sort((a, b) => a - b));
      expect(q.steps[0]!.kind).toBe('llm');
    }
    // The write made after the confirmation is in the audit trail with its idempotency key.
    const writes = t.queries.flatMap((q) => q.writes);
    expect(writes.map((w) => w.tool)).toEqual(['return_delivered_order_items']);
    expect(writes[0]!.idempotencyKey.startsWith(`${q2.queryId}:t`)).toBe(true);
    expect(writes[0]!.ok).toBe(true);
  });

  it('feeds the analytics views', async () => {
    const outcomes = await db.query<{ outcome: string; queries: string }>('SELECT outcome, sum(queries)::text AS queries FROM analytics_outcomes_daily GROUP BY outcome');
    expect(outcomes.rows).toEqual([{ outcome: 'answered', queries: '2' }]);
    const cost = await db.query<{ queries: string; input_tokens: string }>('SELECT queries::text, input_tokens::text FROM analytics_cost_daily');
    expect(cost.rows).toHaveLength(1);
    expect(Number(cost.rows[0]!.queries)).toBe(2);
    expect(Number(cost.rows[0]!.input_tokens)).toBeGreaterThan(0);
    const tools = await db.query<{ tool: string }>('SELECT DISTINCT tool FROM analytics_top_tools');
    expect(tools.rows.map((r) => r.tool)).toContain('return_delivered_order_items');
    const lang = await db.query('SELECT language, queries::int FROM analytics_language_daily');
    expect(lang.rows).toEqual([{ language: 'en', queries: 2 }]);
    const handoffs = await db.query('SELECT handoffs::int, handoff_rate::float FROM analytics_handoff_rate_daily');
    expect(handoffs.rows).toEqual([{ handoffs: 0, handoff_rate: 0 }]);
  });

  it('gives archived queries a short Redis TTL (ARCHIVE_HOT_TTL_SEC), leaving the conversation its own', async () => {
    for (const q of queryIds) {
      for (const key of [keys.query(q), keys.querySteps(q), keys.queryHistory(q), keys.queryEvents(q)]) {
        if (!(await redis.exists(key))) continue;
        const ttl = await redis.ttl(key);
        expect(ttl, key).toBeGreaterThan(0);
        expect(ttl, key).toBeLessThanOrEqual(600);
      }
      // The query record always exists while hot, so the loop above checked at least it.
      expect(await redis.exists(keys.query(q))).toBe(1);
    }
    // The conversation is the customer's live memory: it keeps its normal TTL (30 days).
    expect(await redis.ttl(keys.conversation(conversationId))).toBeGreaterThan(600);
  });

  it('finds the conversation by customer and by order id, and exports it as JSON and text', async () => {
    const byCustomer = (await (await admin(`/v1/conversations?customerId=${CUSTOMER}`)).json()) as { conversations: { conversationId: string; queries: number }[] };
    expect(byCustomer.conversations.map((c) => c.conversationId)).toContain(conversationId);
    const byOrder = (await (await admin(`/v1/conversations?orderId=${encodeURIComponent(ORDER)}`)).json()) as { conversations: { conversationId: string }[] };
    expect(byOrder.conversations.map((c) => c.conversationId)).toEqual([conversationId]);
    const none = (await (await admin(`/v1/conversations?orderId=${encodeURIComponent('#W0000000')}`)).json()) as { conversations: unknown[] };
    expect(none.conversations).toEqual([]);
    expect((await fetch(`${sys.url}/v1/conversations?customerId=${CUSTOMER}`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(401);

    const json = await admin(`/v1/conversations/${conversationId}/export?format=json`);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-disposition')).toContain('.json');
    expect(((await json.json()) as { conversationId: string }).conversationId).toBe(conversationId);
    const text = await admin(`/v1/conversations/${conversationId}/export?format=text`);
    expect(text.headers.get('content-type')).toContain('text/plain');
    const body = await text.text();
    expect(body).toContain('Customer: Yes, please go ahead.');
    expect(body).toContain('Action: return_delivered_order_items(');
    expect(body.indexOf(queryIds[0]!)).toBeLessThan(body.indexOf(queryIds[1]!));
  });

  it('lists, shows and migrates through the CLI', async () => {
    const cli = fileURLToPath(new URL('../../scripts/steward-cli.ts', import.meta.url));
    const env = { ...process.env, STEWARD_URL: sys.url, ADMIN_TOKEN: ADMIN, STEWARD_API_KEY: '', DATABASE_URL: pgdb.url, ARCHIVE_SCHEMA: pgdb.schema };
    const run = (...args: string[]) => promisify(execFile)(process.execPath, [cli, ...args], { env }).then((r) => r.stdout);
    expect(await run('conversations', '--order', ORDER)).toContain(`${conversationId}  customer=${CUSTOMER}  queries=2`);
    const shown = await run('conversations', 'show', conversationId);
    expect(shown).toContain('Customer: Yes, please go ahead.');
    expect(await run('migrate')).toContain('up to date');
    await expect(run('erase', CUSTOMER)).rejects.toThrow(/--yes/);
  });

  it('serves the debug trace from the archive once Redis no longer has it', async () => {
    const q = queryIds[0]!;
    const hot = (await (await admin(`/v1/traces/${q}`)).json()) as { steps: unknown[]; source?: string };
    expect(hot.source).toBeUndefined();
    // Redis lets the trace go (its hot TTL runs out): expire it now instead of waiting.
    await redis.pexpire(keys.queryEvents(q), 1);
    await until(async () => (await redis.exists(keys.queryEvents(q))) === 0, 5_000, 'the Redis trace to expire');
    const cold = await admin(`/v1/traces/${q}`);
    expect(cold.status).toBe(200);
    const trace = (await cold.json()) as { steps: { kind: string }[]; source: string };
    expect(trace.source).toBe('archive');
    expect(trace.steps.length).toBe(hot.steps.length);
    // A platform key does not read the archive.
    expect((await api.get(`/v1/traces/${q}`)).status).toBe(404);
    // `steward trace` (the operator's CLI) reads it the same way: from the archive now.
    const cli = fileURLToPath(new URL('../../scripts/steward-cli.ts', import.meta.url));
    const env = { ...process.env, STEWARD_URL: sys.url, ADMIN_TOKEN: ADMIN, STEWARD_API_KEY: '' };
    const out = await promisify(execFile)(process.execPath, [cli, 'trace', q, '--json'], { env }).then((r) => r.stdout);
    const viaCli = JSON.parse(out) as { steps: unknown[]; source: string };
    expect(viaCli.source).toBe('archive');
    expect(viaCli.steps.length).toBe(hot.steps.length);
  });

  it('erases the customer from PostgreSQL and every Redis key, leaving only an audit row', async () => {
    const needles = [CUSTOMER, EMAIL, NAME];
    const pgBefore = await dumpSchema(db, pgdb.schema);
    const redisBefore = await dumpRedis(redis, prefix);
    for (const n of needles) {
      expect(whereFound(pgBefore, n).length, `${n} in PostgreSQL before`).toBeGreaterThan(0);
      expect(whereFound(redisBefore, n).length, `${n} in Redis before`).toBeGreaterThan(0);
    }
    const res = await admin(`/v1/customers/${CUSTOMER}/data`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { erased: boolean; rowsRemoved: number; redisKeysDeleted: number };
    expect(report.rowsRemoved).toBeGreaterThan(0);
    expect(report.redisKeysDeleted).toBeGreaterThan(0);

    const pgAfter = await dumpSchema(db, pgdb.schema);
    const redisAfter = await dumpRedis(redis, prefix);
    for (const n of needles) {
      expect(whereFound(pgAfter, n), `${n} in PostgreSQL after`).toEqual([]);
      expect(whereFound(redisAfter, n), `${n} in Redis after`).toEqual([]);
    }
    const audit = await db.query('SELECT requested_by, rows_removed FROM erasures');
    expect(audit.rows).toEqual([{ requested_by: 'admin', rows_removed: report.rowsRemoved }]);
    expect((await admin(`/v1/conversations/${conversationId}`)).status).toBe(404);
    // The system still serves the next customer.
    const q = await api.ask({ customerId: data.foreignOwner, text: `What is the status of my order ${data.foreignOrder.id}?` });
    expect(q.outcome).toBe('answered');
  });
});
