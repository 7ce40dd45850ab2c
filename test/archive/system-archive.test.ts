import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db } from '@steward/archive';
import { postgresUnavailable, testDatabase, type TestDatabase } from '@steward/archive/testing';
import { loadConfig } from '@steward/core';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { IngressClient } from '../helpers/client.ts';
import { e2eData } from '../helpers/e2e-data.ts';
import { until } from './helpers.ts';

// The all-in-one system (what `./steward demo` runs) takes the archive from the one
// configuration: with DATABASE_URL it runs the archiver and serves the operator API over it;
// without it nothing is archived and the archive routes are not there.
const redisUrl = inject('redisUrl');
const KEY = 'system-archive-key';
const OPERATOR_KEY = 'system-archive-operator-key';
const ADMIN = 'system-archive-admin';
const data = e2eData();
const prefixes: string[] = [];
let pgdb: TestDatabase;

async function system(extra: Record<string, string>): Promise<RunningSystem> {
  const prefix = uniquePrefix('sysarch');
  prefixes.push(prefix);
  const config = loadConfig({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix, LOG_LEVEL: 'warn', ADMIN_TOKEN: ADMIN, ...extra }, 'system');
  return startSystem({
    config,
    apiKeys: `${KEY},operator=${OPERATOR_KEY}`,
    shopData: data.shopData,
    tracer: false,
    deliveries: false,
    ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
  });
}

const admin = (sys: RunningSystem, path: string) => fetch(`${sys.url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });

describe.skipIf(postgresUnavailable !== undefined)(`startSystem and the archive (${data.source} data)${postgresUnavailable ? ` (skipped: ${postgresUnavailable})` : ''}`, () => {
  beforeAll(async () => {
    pgdb = await testDatabase('system');
  });
  afterAll(async () => {
    for (const p of prefixes) await deletePrefix(redisUrl, p);
    await pgdb?.drop();
  });

  it('with DATABASE_URL: archives the conversation and serves it to the operator', async () => {
    const sys = await system({ DATABASE_URL: pgdb.url, ARCHIVE_SCHEMA: pgdb.schema, ARCHIVE_HOT_TTL_SEC: '120', ARCHIVE_RETENTION_EVERY_MS: '0' });
    const db: Db = createDb(pgdb.url, pgdb.schema);
    try {
      const conversationId = `c_sys_${Date.now()}`;
      const q = await new IngressClient(sys.url, KEY).ask({ conversationId, customerId: data.customer, text: `What is the status of my order ${data.statusOrder.id}?` });
      expect(q.outcome).toBe('answered');
      await until(async () => (await db.query("SELECT 1 FROM queries WHERE id = $1 AND outcome = 'answered'", [q.queryId])).rowCount === 1, 20_000, 'the query in the archive');
      const found = (await (await admin(sys, `/v1/conversations?customerId=${data.customer}`)).json()) as { conversations: { conversationId: string }[] };
      expect(found.conversations.map((c) => c.conversationId)).toEqual([conversationId]);
      const transcript = (await (await admin(sys, `/v1/conversations/${conversationId}`)).json()) as { messages: { role: string; content: string }[] };
      expect(transcript.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
      expect(transcript.messages[1]!.content).toBe(q.answer);
      // An `operator=` API key is an operator credential too; a customer-facing key is not.
      const withKey = (key: string) => fetch(`${sys.url}/v1/conversations/${conversationId}`, { headers: { authorization: `Bearer ${key}` } });
      expect((await withKey(OPERATOR_KEY)).status).toBe(200);
      expect((await withKey(KEY)).status).toBe(401);
    } finally {
      await sys.close();
      await db.end();
    }
  });

  it('without DATABASE_URL: nothing archived, no archive routes, the system answers as before', async () => {
    const sys = await system({});
    try {
      const q = await new IngressClient(sys.url, KEY).ask({ customerId: data.customer, text: `What is the status of my order ${data.statusOrder.id}?` });
      expect(q.outcome).toBe('answered');
      expect((await admin(sys, `/v1/conversations?customerId=${data.customer}`)).status).toBe(404);
    } finally {
      await sys.close();
    }
  });
});
