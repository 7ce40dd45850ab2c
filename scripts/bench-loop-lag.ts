// Event-loop lag of every service on a saturated machine, and the job locks it costs: the whole
// system as separate processes (as `pnpm bench`), each with a probe (test/bench/loop-lag-probe.ts)
// recording how late its timers ran, under the saturation load; then every BullMQ job that was
// taken from a live worker (its stall counter `stc` > 0 — no process is killed here, so each
// one is a false takeover). The lag is what JOB_LOCK_MS − JOB_LOCK_RENEW_MS must exceed.
// Progress on stderr; the JSON report is the last line on stdout.
//
//   node scripts/bench-loop-lag.ts [--conversations 200] [--turns-per-conversation 3] [--workers 2]
//                                  [--job-lock-ms 2000] [--job-lock-renew-ms 500] [--stalled-interval-ms 500]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { DEFAULTS, QUEUES } from '@steward/core';
import { progressBar } from '@steward/commerce';
import { Cluster, DEPLOYED_NODE_OPTIONS } from '../test/bench/cluster.ts';
import { buildScripts, fetchExport } from '../test/bench/conversations.ts';
import { CompletionWatcher } from '../test/bench/completions.ts';
import { drive } from '../test/bench/driver.ts';
import { account } from '../test/bench/pipeline-report.ts';

const { values: a } = parseArgs({
  options: {
    conversations: { type: 'string', default: '200' },
    'turns-per-conversation': { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
    'job-lock-ms': { type: 'string', default: String(DEFAULTS.jobLocks.lockMs) },
    'job-lock-renew-ms': { type: 'string', default: String(DEFAULTS.jobLocks.renewMs) },
    'stalled-interval-ms': { type: 'string', default: String(DEFAULTS.jobLocks.stalledIntervalMs) },
  },
});
const say = (s: string): void => void process.stderr.write(`${s}\n`);
const probe = fileURLToPath(new URL('../test/bench/loop-lag-probe.ts', import.meta.url));
const lagDir = mkdtempSync(join(tmpdir(), 'steward-loop-lag-'));
const locks = { JOB_LOCK_MS: a['job-lock-ms'], JOB_LOCK_RENEW_MS: a['job-lock-renew-ms'], STALLED_INTERVAL_MS: a['stalled-interval-ms'] };

interface Lag {
  role: string;
  pid: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Jobs of every queue that BullMQ found stalled (stc > 0): completed jobs are kept 15 min, so all of the run's are there. */
async function stalledJobs(redisUrl: string, prefix: string): Promise<Record<string, number>> {
  const r = new Redis(redisUrl);
  const out: Record<string, number> = {};
  try {
    for (const q of Object.values(QUEUES)) {
      let cursor = '0';
      let n = 0;
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:${q}:*`, 'COUNT', 1000, 'TYPE', 'hash');
        cursor = next;
        const m = r.pipeline();
        for (const k of keys) m.hget(k, 'stc');
        for (const [, v] of (await m.exec()) ?? []) if (Number(v ?? 0) > 0) n++;
      } while (cursor !== '0');
      out[q] = n;
    }
  } finally {
    r.disconnect();
  }
  return out;
}

say(`loop-lag: starting the system (locks ${JSON.stringify(locks)}) …`);
const cluster = await Cluster.start({
  workers: Number(a.workers),
  // The probe beside the deployed V8 flags: the cluster sets NODE_OPTIONS itself, over env's.
  nodeOptions: `${DEPLOYED_NODE_OPTIONS} --import ${probe}`,
  env: { LOOP_LAG_DIR: lagDir, ...locks },
});
let exitCode = 0;
let report: Record<string, unknown> = {};
try {
  const data = await fetchExport(cluster.shopUrl);
  const runId = Date.now().toString(36);
  const scripts = buildScripts(data, Number(a.conversations), Number(a['turns-per-conversation']), runId);
  const watcher = new CompletionWatcher(cluster.redisUrl, cluster.prefix);
  await watcher.start();
  // Warm-up (not measured): JIT, connection pools; then every probe starts afresh.
  const warm = buildScripts(data, 20, 1, `warm${runId}`).map((s) => ({ ...s, conversationId: `w_${s.conversationId}`, messages: s.messages.slice(0, 1) }));
  await drive({ baseUrl: cluster.ingressUrl, apiKey: cluster.apiKey, scripts: warm.filter((s) => !s.writeOrder), watcher });
  for (const pid of cluster.pids()) process.kill(pid, 'SIGUSR2');
  const total = scripts.reduce((n, s) => n + s.messages.length, 0);
  const run = await drive({ baseUrl: cluster.ingressUrl, apiKey: cluster.apiKey, scripts, watcher, progress: progressBar('load', total), answerTimeoutMs: 180_000 });
  const acc = await account(run, watcher, { redisUrl: cluster.redisUrl, prefix: cluster.prefix, baseUrl: cluster.ingressUrl, apiKey: cluster.apiKey });
  await watcher.stop();
  const stalled = await stalledJobs(cluster.redisUrl, cluster.prefix);
  const wallS = (run.endMs - run.startMs) / 1000;
  report = {
    bench: 'loop-lag',
    machine: { nproc: cpus().length, cpu: cpus()[0]?.model ?? '', node: process.version },
    settings: { conversations: Number(a.conversations), turns_per_conversation: Number(a['turns-per-conversation']), workers: Number(a.workers), job_locks: locks },
    queries: acc.accepted,
    answered: acc.answered,
    lost: acc.lost,
    duplicate_answers: acc.duplicate_answers,
    throughput_qpm: Math.round(acc.answered / (wallS / 60)),
    false_takeovers: stalled,
  };
  if (acc.lost > 0 || acc.duplicate_answers > 0) exitCode = 1;
} catch (e) {
  say(`loop-lag failed: ${(e as Error).stack ?? String(e)}\nservice logs: ${cluster.logDir}`);
  exitCode = 2;
} finally {
  await cluster.stop();
}
// The probes wrote their last histogram at exit.
const lags: Lag[] = readdirSync(lagDir).map((f) => JSON.parse(readFileSync(join(lagDir, f), 'utf8')) as Lag);
// Threads (the lock keepers) under their process's role.
const roleOfPid = new Map(lags.filter((l) => l.role !== 'thread').map((l) => [l.pid, l.role]));
for (const l of lags) if (l.role === 'thread') l.role = `${roleOfPid.get(l.pid) ?? 'unknown'} lock-keeper thread`;
rmSync(lagDir, { recursive: true, force: true });
const byRole: Record<string, { processes: number; p50_ms: number; p99_ms: number; p999_ms: number; max_ms: number }> = {};
for (const l of lags) {
  const r = (byRole[l.role] ??= { processes: 0, p50_ms: 0, p99_ms: 0, p999_ms: 0, max_ms: 0 });
  r.processes++;
  r.p50_ms = Math.max(r.p50_ms, l.p50);
  r.p99_ms = Math.max(r.p99_ms, l.p99);
  r.p999_ms = Math.max(r.p999_ms, l.p999);
  r.max_ms = Math.max(r.max_ms, l.max);
}
report.loop_lag_ms_by_role = byRole;
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(exitCode);
