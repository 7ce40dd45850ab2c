// Redis at steady state: a sample of the load's conversations (English and Mandarin, status,
// products, returns and exchanges with their "yes") goes through the real pipeline — every
// service its own process, as `pnpm bench` — then every key under the prefix is measured
// (MEMORY USAGE, remaining TTL) and grouped by kind. Each kind's bytes per query, held for its
// lifetime (its TTL; BullMQ's retention for job hashes; the length cap for streams), give the
// memory Redis holds at steady state for a daily volume: days of that volume in accelerated
// time, computed rather than waited for. Progress on stderr; the JSON report is the last line.
//
//   node scripts/bench-retention.ts [--conversations 60] [--turns-per-conversation 3]
//                                   [--queries-per-day 15000] [--days 40]
// The retention settings of the run are the services' (QUERY_DONE_TTL_SEC, CONVERSATION_IDLE_TTL_SEC
// from this process's environment), so the same command measures any setting.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { DEFAULTS } from '@steward/core';
import { JOB_RETENTION_SEC } from '@steward/store';
import { progressBar } from '@steward/commerce';
import { Cluster } from '../test/bench/cluster.ts';
import { buildScripts, fetchExport } from '../test/bench/conversations.ts';
import { CompletionWatcher } from '../test/bench/completions.ts';
import { drive } from '../test/bench/driver.ts';
import { account } from '../test/bench/pipeline-report.ts';
import { keyCensus, type KindCensus } from '../test/bench/key-census.ts';
import { round } from '../test/bench/stats.ts';

const { values: a } = parseArgs({
  options: {
    conversations: { type: 'string', default: '60' },
    'turns-per-conversation': { type: 'string', default: '3' },
    'queries-per-day': { type: 'string', default: '15000' },
    days: { type: 'string', default: '40' },
  },
});
const say = (s: string): void => void process.stderr.write(`${s}\n`);
const perDay = Number(a['queries-per-day']);
const DAY = 86_400;
const MB = 1024 * 1024;
/** BullMQ caps each queue's own event stream at this many entries (its default maxLenEvents). */
const BULLMQ_EVENTS_MAX_LEN = 10_000;
const RETENTION_VARS = ['QUERY_DONE_TTL_SEC', 'CONVERSATION_IDLE_TTL_SEC'] as const;
const env = Object.fromEntries(RETENTION_VARS.filter((v) => process.env[v]).map((v) => [v, process.env[v]!]));
const streamCap = DEFAULTS.eventsStreamMaxLen;

/** How a kind grows with the volume: held for a lifetime (linear in queries/day), capped by length, or fixed. */
interface Model {
  kind: string;
  keys: number;
  bytes_per_query: number;
  how: 'ttl' | 'job-retention' | 'length-cap' | 'fixed';
  lifetime_s?: number;
  cap_entries?: number;
  entries_per_query?: number;
  bytes_per_entry?: number;
}

function model(c: KindCensus, queries: number): Model {
  const base = { kind: c.kind, keys: c.keys, bytes_per_query: round(c.bytes / queries, 1) };
  if (c.streamEntries > 0 && c.persistent > 0) {
    const cap = c.kind === 'events' ? streamCap : BULLMQ_EVENTS_MAX_LEN * c.keys;
    return { ...base, how: 'length-cap', cap_entries: cap, entries_per_query: round(c.streamEntries / queries, 2), bytes_per_entry: round(c.bytes / c.streamEntries, 1) };
  }
  if (c.persistent === 0) return { ...base, how: 'ttl', lifetime_s: Math.round(c.byteSeconds / Math.max(1, c.bytes)) };
  // BullMQ job hashes and the completed set live until removeOnComplete's age.
  if (c.kind.startsWith('bullmq ') && (c.kind.endsWith(' job') || c.kind.endsWith(':completed'))) return { ...base, how: 'job-retention', lifetime_s: JOB_RETENTION_SEC };
  return { ...base, how: 'fixed' };
}

/** Bytes a kind holds after `days` of `perDay` queries a day. */
function resident(m: Model, perDayQ: number, days: number, sampleBytes: number): number {
  switch (m.how) {
    case 'ttl':
    case 'job-retention':
      return m.bytes_per_query * perDayQ * (Math.min(days * DAY, m.lifetime_s ?? 0) / DAY);
    case 'length-cap':
      return (m.bytes_per_entry ?? 0) * Math.min(m.cap_entries ?? 0, (m.entries_per_query ?? 0) * perDayQ * days);
    case 'fixed':
      return sampleBytes;
  }
}

say(`retention: starting the system (retention settings ${JSON.stringify(env)}) …`);
const cluster = await Cluster.start({ workers: 1, env });
let exitCode = 0;
try {
  const data = await fetchExport(cluster.shopUrl);
  const scripts = buildScripts(data, Number(a.conversations), Number(a['turns-per-conversation']), Date.now().toString(36));
  const watcher = new CompletionWatcher(cluster.redisUrl, cluster.prefix);
  await watcher.start();
  const total = scripts.reduce((n, s) => n + s.messages.length, 0);
  const run = await drive({ baseUrl: cluster.ingressUrl, apiKey: cluster.apiKey, scripts, watcher, progress: progressBar('sample', total), answerTimeoutMs: 120_000 });
  const acc = await account(run, watcher, { redisUrl: cluster.redisUrl, prefix: cluster.prefix, baseUrl: cluster.ingressUrl, apiKey: cluster.apiKey });
  await watcher.stop();
  // The tracer and the follow-up jobs catch up with the stream before the census.
  await new Promise((r) => setTimeout(r, 3_000));
  const redis = new Redis(cluster.redisUrl);
  const census = await keyCensus(redis, cluster.prefix);
  const usedMemory = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
  redis.disconnect();
  const queries = Math.max(1, acc.timings.length);
  const bytesOf = new Map(census.map((c) => [c.kind, c.bytes]));
  const models = census.map((c) => model(c, queries));
  const at = (perDayQ: number, days: number): number => models.reduce((s, m) => s + resident(m, perDayQ, days, bytesOf.get(m.kind) ?? 0), 0);
  const horizon = Number(a.days);
  const series = Array.from({ length: horizon }, (_, i) => i + 1).filter((d) => d <= 3 || d % 7 === 0 || d === horizon).map((d) => ({ day: d, mb: round(at(perDay, d) / MB, 1) }));
  // Steady state: every lifetime has run out and every capped stream is full.
  const steadyDays = Math.max(...models.map((m) => (m.how === 'length-cap' ? (m.cap_entries ?? 0) / Math.max(1e-9, (m.entries_per_query ?? 0) * perDay) : (m.lifetime_s ?? 0) / DAY)), 1);
  const steady = (q: number): number => at(q, Math.ceil(steadyDays) + 1);
  const fixedPart = steady(0);
  // What 1,000 more queries a day add at this volume (the capped streams are full either way).
  const linearPer1000 = (steady(perDay + 1000) - steady(perDay)) / MB;
  const capped = models.filter((m) => m.how === 'length-cap').reduce((s, m) => s + (m.bytes_per_entry ?? 0) * (m.cap_entries ?? 0), 0);
  const report = {
    bench: 'retention',
    machine: { nproc: cpus().length, cpu: cpus()[0]?.model ?? '', node: process.version },
    settings: { conversations: scripts.length, queries, queries_per_day: perDay, retention_env: env, events_stream_max_len: streamCap, job_retention_s: JOB_RETENTION_SEC },
    lost: acc.lost,
    sample: { keys: census.reduce((s, c) => s + c.keys, 0), key_bytes: census.reduce((s, c) => s + c.bytes, 0), used_memory: usedMemory },
    by_kind: models,
    days_to_steady_state: round(steadyDays, 1),
    series_mb: series,
    steady_state_mb: round(steady(perDay) / MB, 1),
    // The part that grows with the volume, and the part that does not (streams at their length cap, queue singletons).
    steady_mb_per_1000_queries_per_day: round(linearPer1000, 2),
    fixed_mb: round(fixedPart / MB, 1),
    capped_streams_mb: round(capped / MB, 1),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  if (acc.lost > 0) exitCode = 1;
} catch (e) {
  say(`bench-retention failed: ${(e as Error).stack ?? String(e)}\nservice logs: ${cluster.logDir}`);
  exitCode = 2;
} finally {
  await cluster.stop();
}
process.exit(exitCode);
