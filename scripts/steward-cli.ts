// `pnpm steward <command>`: operator commands.
//   pnpm steward trace <queryId>     human-readable debug report of one query (with the Jaeger link);
//                                    from the archive once Redis no longer has it (ADMIN_TOKEN)
//   pnpm steward trace <queryId> --json
//   pnpm steward handoffs            open human handoffs
//   pnpm steward conversations [--customer ID] [--order ID] [--from ISO] [--to ISO] [--outcome O] [--limit N] [--cursor C] [--json]
//   pnpm steward conversations show <conversationId> [--json]       transcript with every step
//   pnpm steward conversations export <conversationId> [--format json|text]
//   pnpm steward erase <customerId> --yes                             erase a customer's data everywhere
//   pnpm steward migrate [--down]    apply the archive's migrations (DATABASE_URL, ARCHIVE_SCHEMA)
// Talks to the ingress API: STEWARD_URL (default http://127.0.0.1:3000), STEWARD_API_KEY
// (the operator credential — ADMIN_TOKEN or an `operator=` key — reads every query, the handoffs,
// conversations and erasure; an ordinary API key reads only its own queries), JAEGER_URL for the trace link.
import { parseArgs } from 'node:util';
import { renderDebugReport, type DebugTrace } from '@steward/telemetry';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean', default: false },
    url: { type: 'string' },
    key: { type: 'string' },
    customer: { type: 'string' },
    order: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    outcome: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    format: { type: 'string' },
    yes: { type: 'boolean', default: false },
    down: { type: 'boolean', default: false },
  },
});
const base = (values.url ?? process.env.STEWARD_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const [cmd, arg, arg2] = positionals;
// Operator commands need the operator credential; the others work with an ingress API key.
const operatorCommand = cmd === 'handoffs' || cmd === 'conversations' || cmd === 'erase';
const key =
  values.key ||
  (operatorCommand ? process.env.ADMIN_TOKEN || process.env.STEWARD_API_KEY : process.env.STEWARD_API_KEY || process.env.ADMIN_TOKEN) ||
  '';

async function call(path: string, method = 'GET'): Promise<{ status: number; body: unknown; text: string }> {
  const res = await fetch(`${base}${path}`, { method, headers: key ? { authorization: `Bearer ${key}` } : {} });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, body, text };
}

function fail(msg: string): never {
  process.stderr.write(`${msg}\n`);
  process.exit(1);
}

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const checked = async (path: string, method = 'GET') => {
  const r = await call(path, method);
  if (r.status !== 200) fail(`${method} ${path} answered ${r.status}: ${r.text}`);
  return r;
};

interface Summary {
  conversationId: string;
  customerId: string | null;
  lastAt: string;
  queries: number;
  outcomes: string[];
  orders: string[];
}

const usage =
  'usage: pnpm steward trace <queryId> [--json] | handoffs | conversations [--customer ID] [--order ID] [--from] [--to] [--outcome] [--limit] [--cursor] [--json]\n' +
  '       | conversations show <id> [--json] | conversations export <id> [--format json|text] | erase <customerId> --yes | migrate [--down]\n' +
  '   (env: STEWARD_URL, STEWARD_API_KEY or ADMIN_TOKEN; migrate: DATABASE_URL, ARCHIVE_SCHEMA)';

if (cmd === 'trace' && arg) {
  const r = await checked(`/v1/traces/${encodeURIComponent(arg)}`);
  if (values.json) out(JSON.stringify(r.body, null, 2));
  else out(renderDebugReport(r.body as DebugTrace, { jaegerUrl: process.env.JAEGER_URL ?? 'http://localhost:16686' }));
} else if (cmd === 'handoffs') {
  out(JSON.stringify((await checked('/v1/handoffs')).body, null, 2));
} else if (cmd === 'conversations' && (arg === 'show' || arg === 'export') && arg2) {
  const id = encodeURIComponent(arg2);
  if (arg === 'show') out(values.json ? JSON.stringify((await checked(`/v1/conversations/${id}`)).body, null, 2) : (await checked(`/v1/conversations/${id}/export?format=text`)).text);
  else out((await checked(`/v1/conversations/${id}/export?format=${values.format === 'text' ? 'text' : 'json'}`)).text);
} else if (cmd === 'conversations' && !arg) {
  const q = new URLSearchParams();
  const filters: [string, string | undefined][] = [
    ['customerId', values.customer],
    ['orderId', values.order],
    ['from', values.from],
    ['to', values.to],
    ['outcome', values.outcome],
    ['limit', values.limit],
    ['cursor', values.cursor],
  ];
  for (const [k, v] of filters) if (v) q.set(k, v);
  const r = await checked(`/v1/conversations?${q.toString()}`);
  const page = r.body as { conversations: Summary[]; nextCursor: string | null };
  if (values.json) out(JSON.stringify(page, null, 2));
  else {
    for (const c of page.conversations)
      out(`${c.lastAt}  ${c.conversationId}  customer=${c.customerId ?? '-'}  queries=${c.queries}  outcomes=${c.outcomes.join(',') || '-'}  orders=${c.orders.join(',') || '-'}`);
    if (page.conversations.length === 0) out('no conversations match');
    if (page.nextCursor) out(`more: --cursor ${page.nextCursor}`);
  }
} else if (cmd === 'erase' && arg) {
  if (!values.yes) fail(`this erases every conversation, message and trace of customer ${arg} from PostgreSQL and Redis; repeat with --yes`);
  out(JSON.stringify((await checked(`/v1/customers/${encodeURIComponent(arg)}/data`, 'DELETE')).body, null, 2));
} else if (cmd === 'migrate') {
  const [{ migrate }, { loadConfig }] = await Promise.all([import('@steward/archive'), import('@steward/core')]);
  const { databaseUrl, schema } = loadConfig(process.env).archive;
  if (!databaseUrl) fail('DATABASE_URL is not set: there is no archive to migrate');
  const done = await migrate({ databaseUrl, schema, direction: values.down ? 'down' : 'up', ...(values.down ? { count: 1 } : {}) });
  out(done.length ? `${values.down ? 'reverted' : 'applied'}: ${done.join(', ')}` : 'the archive schema is up to date');
} else {
  fail(usage);
}
