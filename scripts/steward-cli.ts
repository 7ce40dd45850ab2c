// `pnpm steward <command>`: operator commands.
//   pnpm steward trace <queryId>     human-readable debug report of one query (with the Jaeger link)
//   pnpm steward trace <queryId> --json
//   pnpm steward handoffs            open human handoffs
// Talks to the ingress API: STEWARD_URL (default http://127.0.0.1:3000), STEWARD_API_KEY
// (the operator credential — ADMIN_TOKEN or an `operator=` key — reads every query and the handoffs;
// an ordinary API key reads only its own queries), JAEGER_URL for the trace link.
import { parseArgs } from 'node:util';
import { renderDebugReport, type DebugTrace } from '@steward/telemetry';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { json: { type: 'boolean', default: false }, url: { type: 'string' }, key: { type: 'string' } },
});
const base = (values.url ?? process.env.STEWARD_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const key = values.key ?? process.env.STEWARD_API_KEY ?? process.env.ADMIN_TOKEN ?? '';
const [cmd, arg] = positionals;

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: res.status, body: await res.json().catch(() => null) };
}

function fail(msg: string): never {
  process.stderr.write(`${msg}\n`);
  process.exit(1);
}

if (cmd === 'trace' && arg) {
  const r = await get(`/v1/traces/${encodeURIComponent(arg)}`);
  if (r.status !== 200) fail(`GET /v1/traces/${arg} answered ${r.status}: ${JSON.stringify(r.body)}`);
  if (values.json) process.stdout.write(JSON.stringify(r.body, null, 2) + '\n');
  else process.stdout.write(renderDebugReport(r.body as DebugTrace, { jaegerUrl: process.env.JAEGER_URL ?? 'http://localhost:16686' }) + '\n');
} else if (cmd === 'handoffs') {
  const r = await get('/v1/handoffs');
  if (r.status !== 200) fail(`GET /v1/handoffs answered ${r.status}: ${JSON.stringify(r.body)}`);
  process.stdout.write(JSON.stringify(r.body, null, 2) + '\n');
} else {
  fail('usage: pnpm steward trace <queryId> [--json] | pnpm steward handoffs   (env: STEWARD_URL, STEWARD_API_KEY)');
}
