// How much the archive holds per conversation: the whole system in one process with the archive
// on (DATABASE_URL), the benchmark's conversations (status, product, return, exchange, multi;
// English and Mandarin) driven through the API, then rows and bytes per table read from
// PostgreSQL. The figures of the RUNBOOK's "Sizing" come from this. The JSON report is the last
// line on stdout; the archive goes into a schema of its own, dropped at the end.
//
//   DATABASE_URL=postgres://… node scripts/archive-sizing.ts [--conversations 40] [--turns 3]
import { parseArgs } from 'node:util';
import { createDb, type Db } from '@steward/archive';
import { loadConfig } from '@steward/core';
import { startSystem } from '@steward/system';
import { RedisServer, freePort } from '@steward/testing';
import { buildScripts, fetchExport } from '../test/bench/conversations.ts';
import { IngressClient } from '../test/helpers/client.ts';

const { values: a } = parseArgs({ options: { conversations: { type: 'string', default: '40' }, turns: { type: 'string', default: '3' } } });
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('set DATABASE_URL (a PostgreSQL this script may create and drop a schema in)');
const say = (s: string): void => void process.stderr.write(`${s}\n`);
const schema = `sizing_${Date.now().toString(36)}`;
const KEY = 'sizing-key';

const redis = process.env.REDIS_URL ? undefined : await RedisServer.start();
const config = loadConfig(
  {
    ...process.env,
    REDIS_URL: process.env.REDIS_URL ?? redis!.url,
    REDIS_PREFIX: `{sizing-${schema}}`,
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    ARCHIVE_SCHEMA: schema,
    ARCHIVE_RETENTION_EVERY_MS: '0',
  },
  'system',
);
const sys = await startSystem({
  config,
  apiKeys: KEY,
  tracer: false,
  deliveries: false,
  admit: false,
  ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
});
const db: Db = createDb(databaseUrl, schema);
try {
  const scripts = buildScripts(await fetchExport(sys.shopUrl), Number(a.conversations), Number(a.turns), schema);
  const api = new IngressClient(sys.url, KEY);
  let queries = 0;
  // Four customers at a time: the figures are per conversation, not a load test.
  const queue = [...scripts];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let s = queue.shift(); s; s = queue.shift()) {
        for (const text of s.messages) {
          await api.ask({ conversationId: s.conversationId, customerId: s.customerId, text }, 60_000);
          queries++;
        }
      }
    }),
  );
  say(`${scripts.length} conversations, ${queries} queries answered; waiting for the archive`);
  const end = Date.now() + 60_000;
  for (;;) {
    const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM queries WHERE completed_at IS NOT NULL');
    if (r.rows[0]!.n >= queries) break;
    if (Date.now() > end) throw new Error(`the archive holds ${r.rows[0]!.n} of ${queries} completed queries after 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const tables = await db.query<{ table: string; total_bytes: string }>(
    `SELECT c.relname AS table, pg_total_relation_size(c.oid)::text AS total_bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> 'pgmigrations' ORDER BY c.relname`,
    [schema],
  );
  const perTable: Record<string, { rows: number; rowsPerConversation: number; rowBytes: number; totalBytesPerConversation: number }> = {};
  let totalBytes = 0;
  for (const t of tables.rows) {
    const exact = await db.query<{ n: number; bytes: string | null }>(`SELECT count(*)::int AS n, sum(pg_column_size(t.*))::text AS bytes FROM "${t.table}" t`);
    const rows = exact.rows[0]!.n;
    const total = Number(t.total_bytes);
    // An empty table's pages are a fixed cost of the schema, not of a conversation.
    if (rows > 0) totalBytes += total;
    perTable[t.table] = {
      rows,
      rowsPerConversation: Math.round((rows / scripts.length) * 10) / 10,
      // The tuples' own bytes (no page, index or TOAST-pointer overhead).
      rowBytes: rows ? Math.round(Number(exact.rows[0]!.bytes ?? 0) / rows) : 0,
      // Heap + indexes + TOAST, divided by conversations (includes empty space of partly filled pages).
      totalBytesPerConversation: Math.round(total / scripts.length),
    };
  }
  const report = {
    conversations: scripts.length,
    queries,
    queriesPerConversation: Math.round((queries / scripts.length) * 10) / 10,
    bytesPerConversation: Math.round(totalBytes / scripts.length),
    bytesPerQuery: Math.round(totalBytes / queries),
    tables: perTable,
  };
  for (const [t, v] of Object.entries(perTable)) say(`${t.padEnd(22)} ${String(v.rows).padStart(6)} rows  ${String(v.rowsPerConversation).padStart(6)}/conv  ${String(v.rowBytes).padStart(6)} B/row  ${String(v.totalBytesPerConversation).padStart(7)} B/conv with indexes`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
} finally {
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db.end();
  await sys.close();
  await redis?.stop();
}
