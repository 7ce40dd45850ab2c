import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db, type Transcript } from '@steward/archive';
import { postgresUnavailable, testDatabase, type TestDatabase } from '@steward/archive/testing';
import { loadConfig } from '@steward/core';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { IngressClient } from '../helpers/client.ts';
import { e2eData } from '../helpers/e2e-data.ts';
import { until } from './helpers.ts';

// A handoff to a person, through the all-in-one system with the archive on (DATABASE_URL in its
// configuration): when the operator resolves it, the archive keeps the handoff and everything
// said while the person owned the conversation — Redis prunes closed handoff records after
// HANDOFF_RETENTION_HOURS — and the operator reads it in the transcript and the text export.
const redisUrl = inject('redisUrl');
const prefix = uniquePrefix('archho');
const KEY = 'archive-handoff-key';
const ADMIN = 'archive-handoff-admin';
const data = e2eData();
let pgdb: TestDatabase;
let db: Db;
let sys: RunningSystem;
let api: IngressClient;

const operator = (path: string, body?: unknown) =>
  fetch(`${sys.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'x-operator': 'mei', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe.skipIf(postgresUnavailable !== undefined)(`a resolved handoff in the archive (${data.source} data)${postgresUnavailable ? ` (skipped: ${postgresUnavailable})` : ''}`, () => {
  beforeAll(async () => {
    pgdb = await testDatabase('handoff');
    const config = loadConfig(
      { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, LOG_LEVEL: 'warn', ADMIN_TOKEN: ADMIN, DATABASE_URL: pgdb.url, ARCHIVE_SCHEMA: pgdb.schema, ARCHIVE_PII: 'keep', ARCHIVE_RETENTION_EVERY_MS: '0' },
      'system',
    );
    sys = await startSystem({
      config,
      apiKeys: KEY,
      shopData: data.shopData,
      tracer: false,
      deliveries: false,
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
    });
    api = new IngressClient(sys.url, KEY);
    db = createDb(pgdb.url, pgdb.schema);
  });
  afterAll(async () => {
    await sys?.close();
    await db?.end();
    await deletePrefix(redisUrl, prefix);
    await pgdb?.drop();
  });

  it('keeps the handoff and what the customer and the operator said once it is resolved', async () => {
    const conversationId = `c_ho_${Date.now()}`;
    const q = await api.ask({ conversationId, customerId: data.customer, text: 'I need a human agent please' });
    expect(q.outcome).toBe('handoff');
    const id = q.queryId;
    await until(async () => (await operator(`/v1/handoffs/${id}`)).status === 200, 20_000, 'the handoff record');
    const held = await api.post({ conversationId, customerId: data.customer, text: `Is someone there? It is about ${data.statusOrder.id}.` });
    expect(held.status).toBe(202);
    await until(async () => ((await (await operator(`/v1/handoffs/${id}`)).json()) as { messages: unknown[] }).messages.length === 1, 20_000, 'the held message');
    expect((await operator(`/v1/handoffs/${id}/claim`, {})).status).toBe(200);
    expect((await operator(`/v1/handoffs/${id}/messages`, { text: 'Hi, this is Mei. I have re-sent your parcel.' })).status).toBe(200);
    expect((await operator(`/v1/handoffs/${id}/notes`, { text: 'courier lost it; re-sent' })).status).toBe(200);
    // Open: only the created step is archived so far, no handoff row.
    expect((await db.query('SELECT 1 FROM handoffs WHERE id = $1', [id])).rowCount).toBe(0);
    expect((await operator(`/v1/handoffs/${id}/resolve`, {})).status).toBe(200);

    await until(async () => (await db.query("SELECT 1 FROM handoffs WHERE id = $1 AND state = 'resolved'", [id])).rowCount === 1, 20_000, 'the resolved handoff in the archive');
    const row = (await db.query('SELECT conversation_id, claimed_by, reason, closed_at IS NOT NULL AS closed FROM handoffs WHERE id = $1', [id])).rows[0];
    expect(row).toMatchObject({ conversation_id: conversationId, claimed_by: 'mei', closed: true });
    const msgs = await db.query<{ sender: string; operator: string | null; content: string }>('SELECT sender, operator, content FROM handoff_messages WHERE handoff_id = $1 ORDER BY seq', [id]);
    expect(msgs.rows).toEqual([
      { sender: 'customer', operator: null, content: `Is someone there? It is about ${data.statusOrder.id}.` },
      { sender: 'operator', operator: 'mei', content: 'Hi, this is Mei. I have re-sent your parcel.' },
      { sender: 'note', operator: 'mei', content: 'courier lost it; re-sent' },
    ]);
    // Claim, reply, note and resolve are steps of the query that handed off.
    const steps = await db.query<{ name: string; result: string }>("SELECT name, result FROM steps WHERE query_id = $1 AND kind = 'handoff' ORDER BY at, id", [id]);
    expect(steps.rows.map((s) => s.name)).toEqual(['handoff', 'claim', 'resolve']);

    const t = (await (await operator(`/v1/conversations/${conversationId}`)).json()) as Transcript;
    expect(t.handoffs.map((h) => [h.handoffId, h.state, h.messages.length])).toEqual([[id, 'resolved', 3]]);
    expect(t.orders).toContain(data.statusOrder.id);
    const text = await (await operator(`/v1/conversations/${conversationId}/export?format=text`)).text();
    expect(text).toContain('Operator (mei): Hi, this is Mei. I have re-sent your parcel.');
    expect(text.indexOf(`── handoff ${id}`)).toBeGreaterThan(text.indexOf(`── query ${id}`));

    // Erasure takes the handoff and its messages with the conversation.
    const erased = await fetch(`${sys.url}/v1/customers/${data.customer}/data`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(erased.status).toBe(200);
    expect((await db.query('SELECT (SELECT count(*) FROM handoffs)::int + (SELECT count(*) FROM handoff_messages)::int AS n')).rows[0].n).toBe(0);
  });
});
