// Load benchmark: the whole system as separate processes (private Redis with AOF), hundreds of
// concurrent English and Mandarin conversations through the ingress HTTP API, then the same
// conversations through an in-process baseline without queues. Progress on stderr; the JSON
// report is the last line on stdout. See docs/BENCHMARKS.md.
//
//   node scripts/bench.ts [--profile saturate|peak] [--conversations 500] [--turns-per-conversation 3]
//                         [--llm-latency 0|300±100ms] [--shop-latency 20-100] [--think-ms 5000-15000]
//                         [--workers 2] [--duration-s N] [--no-baseline] [--cpu-prof DIR] [--node-options=…] [--node-args=…] [--no-customer-limit]
//                         [--from-source] [--env NAME=value …] [--services-from DIR]
//
// The services run from their compiled build (dist/<role>/main.mjs, as infra/Dockerfile runs
// them), built first when it is missing or older than the sources; --from-source runs the
// TypeScript files as before the build existed.
// --node-options=…: NODE_OPTIONS for every service process instead of the Dockerfile's
// (--max-semi-space-size=8 --max-old-space-size=128); --node-options= (empty) runs them with Node's own defaults.
// --node-args=…: node's arguments before each steward service's entry instead of the Dockerfile's
// STEWARD_NODE_ARGS (--no-parallel-scavenge); --node-args= (empty) runs them without.
// --no-customer-limit: turn the ingress's per-customer bucket (0.2 messages/s, burst 5) off. A
// saturating customer sends 40 messages back to back; past the burst the driver's retries of the
// 429s, not the conversation, would then be what the long-conversation run measures.
// --cpu-prof DIR: every service process writes a V8 CPU profile into DIR/<role>-<index>/ when the
// run ends (summarise them with `node scripts/cpu-profile-top.ts DIR`).
//
// Profiles: `saturate` (default) sends each conversation's next message the moment the last is
// answered, with a zero-latency model — the capacity of the machine, so the per-channel rate
// limit is off (`--env RATE_CHANNEL_PER_SEC=50` puts the default back). `peak` is the use case's
// peak: 500 customers who think 5–15 s between messages, a model of 800 ± 300 ms and shop tools of
// 20–100 ms — the pipeline's own cost per turn when the machine is not saturated. Any flag given
// explicitly wins over the profile's value.
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { progressBar } from '@steward/commerce';
import { JOB_TIMING_FLUSH_MS } from '@steward/telemetry';
import { CLUSTER_ROLES, Cluster } from '../test/bench/cluster.ts';
import { ensureBuilt } from './lib/build-services.ts';
import { buildScripts, fetchExport } from '../test/bench/conversations.ts';
import { CompletionWatcher } from '../test/bench/completions.ts';
import { drive } from '../test/bench/driver.ts';
import { account, pipelineFigures } from '../test/bench/pipeline-report.ts';
import { CpuMeter, cpuMsOf, rssMbOf } from '../test/bench/proc-cpu.ts';
import { readWriteLedger } from '../test/bench/shop-writes.ts';
import { runBaseline } from '../test/bench/baseline.ts';
import { percentile, round } from '../test/bench/stats.ts';
import { ackServer, queueWaits, scrapeMetrics } from '../test/bench/queue-waits.ts';
import { profileClockUs, writeProfileWindow } from '../test/bench/profile-window.ts';
import { inFlightPeaks, overheadBreakdown, readJobTimes } from '../test/bench/overhead-breakdown.ts';

const { values: a } = parseArgs({
  options: {
    profile: { type: 'string', default: 'saturate' },
    conversations: { type: 'string' },
    'turns-per-conversation': { type: 'string' },
    'llm-latency': { type: 'string' },
    'shop-latency': { type: 'string' },
    'think-ms': { type: 'string' },
    workers: { type: 'string', default: '2' },
    'duration-s': { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'node-options': { type: 'string' },
    'node-args': { type: 'string' },
    'no-customer-limit': { type: 'boolean', default: false },
    'from-source': { type: 'boolean', default: false },
    env: { type: 'string', multiple: true },
    'services-from': { type: 'string' },
  },
});
const PROFILES = {
  // Capacity: the per-channel bucket (50 messages/s, burst 200 by default) is off, or it would be
  // the limit measured — every conversation here writes on the one `api` channel, and past ~3,000
  // queries/min the run measured the driver's waits on its 429s (session 7, part B).
  saturate: { conversations: '500', turns: '3', llmLatency: '0', shopLatency: undefined, thinkMs: undefined, env: { RATE_CHANNEL_PER_SEC: '0' } },
  peak: { conversations: '500', turns: '3', llmLatency: '800±300ms', shopLatency: '20-100', thinkMs: '5000-15000', env: {} },
} as const;
if (!(a.profile in PROFILES)) throw new Error(`--profile must be one of ${Object.keys(PROFILES).join(', ')}`);
const profile = PROFILES[a.profile as keyof typeof PROFILES];
a.conversations ??= profile.conversations;
a['turns-per-conversation'] ??= profile.turns;
a['llm-latency'] ??= profile.llmLatency;
const shopLatency = a['shop-latency'] ?? profile.shopLatency;
const thinkRange = (a['think-ms'] ?? profile.thinkMs)?.split('-').map(Number);
const thinkMs = thinkRange ? (): number => thinkRange[0]! + Math.random() * ((thinkRange[1] ?? thinkRange[0]!) - thinkRange[0]!) : undefined;
const conversations = Number(a.conversations);
const turns = Number(a['turns-per-conversation']);
const workers = Number(a.workers);
const durationMs = a['duration-s'] ? Number(a['duration-s']) * 1000 : undefined;
const say = (s: string): void => void process.stderr.write(`${s}\n`);

/** Redis calls and CPU µs per command so far, from INFO commandstats. */
const commandStats = async (c: Cluster): Promise<Map<string, { calls: number; usec: number }>> => {
  const out = new Map<string, { calls: number; usec: number }>();
  for (const m of (await c.redisInfo('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    out.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return out;
};

const LOOP_DELAY_RESOLUTION_MS = 10;
/** Node records each whole sampling interval as delay: what is above it is the loop's (ns in, ms out). */
const loopDelayMs = (ns: number): number => round(Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS), 1);

const usedMemory = async (c: Cluster): Promise<number> => Number(/used_memory:(\d+)/.exec(await c.redisInfo('memory'))?.[1] ?? 0);

say(`bench: profile ${a.profile}, starting the system (${workers} reasoning + ${workers} tool workers, sim-llm latency ${a['llm-latency']}, shop latency ${shopLatency ?? '0'}) …`);
const from = a['from-source'] || a['services-from'] ? 'source' : 'compiled';
if (from === 'compiled') {
  const built = await ensureBuilt(CLUSTER_ROLES);
  if (built.length > 0) say(`bench: compiled ${built.join(', ')} (scripts/build.ts)`);
}
/** Settings for every service process: the profile's, then the flags' (reported under settings.env). */
const serviceEnv: Record<string, string> = {
  ...profile.env,
  ...(a['no-customer-limit'] ? { RATE_CUSTOMER_PER_SEC: '0' } : {}),
  // --env NAME=value (repeatable): a setting for every service, e.g. an old default to compare against.
  ...Object.fromEntries((a.env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
};
const cluster = await Cluster.start({
  from,
  workers,
  llmLatency: a['llm-latency'],
  ...(shopLatency ? { shopLatencyMs: shopLatency } : {}),
  ...(a['cpu-prof'] ? { cpuProfDir: resolve(a['cpu-prof']) } : {}),
  ...(a['node-options'] !== undefined ? { nodeOptions: a['node-options'] } : {}),
  ...(a['node-args'] !== undefined ? { nodeArgs: a['node-args'].split(' ').filter(Boolean) } : {}),
  // --services-from DIR: run another checkout's services (e.g. the "before" tree) under this driver and report.
  ...(a['services-from'] ? { servicesRoot: resolve(a['services-from']) } : {}),
  env: serviceEnv,
});
let exitCode = 0;
try {
  const data = await fetchExport(cluster.shopUrl);
  const runId = Date.now().toString(36);
  const scripts = buildScripts(data, conversations, turns, runId);
  const watcher = new CompletionWatcher(cluster.redisUrl, cluster.prefix);
  await watcher.start();

  // Warm-up (not measured): JIT, connection pools, the shop's statement cache.
  const warm = buildScripts(data, 20, 1, `warm${runId}`).map((s) => ({ ...s, conversationId: `w_${s.conversationId}`, messages: s.messages.slice(0, 1) }));
  await drive({ baseUrl: cluster.ingressUrl, apiKey: cluster.apiKey, scripts: warm.filter((s) => !s.writeOrder), watcher });

  const meter = new CpuMeter();
  // The driver's own event loop: a late ack can be the driver (it shares the 2 cores) as well as the ingress.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  loopDelay.enable();
  // The measured window on the clock V8's CPU profiles use (monotonic µs): start-up is left out.
  const windowStartUs = profileClockUs();
  const redisPid = await cluster.redisPid();
  const memBefore = await usedMemory(cluster);
  const cmd0 = await commandStats(cluster);
  meter.begin([...cluster.pids(), redisPid]);
  // Per role as well: which process the CPU goes to says what bounds the throughput.
  const roleOf = new Map<number, string>([...cluster.procs.map((p) => [p.pid, p.role] as const), [redisPid, 'redis']]);
  const cpu0 = new Map([...roleOf.keys()].map((pid) => [pid, cpuMsOf(pid)]));
  const total = scripts.reduce((n, s) => n + s.messages.length, 0);
  const metrics0 = await scrapeMetrics(cluster.ingressUrl);
  const run = await drive({
    baseUrl: cluster.ingressUrl,
    apiKey: cluster.apiKey,
    scripts,
    watcher,
    progress: progressBar('pipeline', total),
    answerTimeoutMs: 180_000,
    ...(durationMs ? { durationMs } : {}),
    ...(thinkMs ? { thinkMs } : {}),
  });
  const pipelineCpuMs = meter.totalMs();
  loopDelay.disable();
  if (a['cpu-prof']) writeProfileWindow(a['cpu-prof'], windowStartUs);
  const byRole: Record<string, number> = {};
  // Per process too: with ACTIVE_REPLICAS a role's standby process shows its idle cost only.
  const byProcess: Record<string, number> = {};
  for (const [pid, role] of roleOf) {
    const ms = cpuMsOf(pid) - (cpu0.get(pid) ?? 0);
    byRole[role] = (byRole[role] ?? 0) + ms;
    const index = cluster.procs.find((p) => p.pid === pid)?.index ?? 0;
    byProcess[`${role}-${index}`] = ms;
  }
  // Workers write job timings once per JOB_TIMING_FLUSH_MS: wait for the last jobs' (after the CPU reading).
  await new Promise((r) => setTimeout(r, JOB_TIMING_FLUSH_MS + 250));
  const metrics1 = await scrapeMetrics(cluster.ingressUrl);
  const waits = queueWaits(metrics0, metrics1);
  const memAfter = await usedMemory(cluster);
  const cmd1 = await commandStats(cluster);
  // Resident memory at the end of the run (steady state) and its peak, the largest process of each role.
  const rssByRole: Record<string, { rss: number; peak: number }> = {};
  for (const [pid, role] of roleOf) {
    const m = rssMbOf(pid);
    const was = rssByRole[role];
    rssByRole[role] = { rss: Math.max(was?.rss ?? 0, m.rss), peak: Math.max(was?.peak ?? 0, m.peak) };
  }
  const acc = await account(run, watcher, { redisUrl: cluster.redisUrl, prefix: cluster.prefix, baseUrl: cluster.ingressUrl, apiKey: cluster.apiKey });
  await watcher.stop();
  const ledger = readWriteLedger(cluster.shopDb);
  const figures = pipelineFigures(run, acc);
  const jobTimes = await readJobTimes(cluster.redisUrl, cluster.prefix, new Map(acc.timings.map((t) => [t.queryId, { events: acc.events.get(t.queryId) ?? [], turns: Math.max(1, t.turns) }])));
  const seenMs = new Map([...watcher.completions].map(([id, list]) => [id, list[0]!.seenMs]));
  const queries = Math.max(1, acc.timings.length);
  const doublesCpuMs = (byRole['sim-llm'] ?? 0) + (byRole.shop ?? 0);
  // The agent's own processes (without the shop and the model double, which the baseline shares).
  const agentPids = cluster.procs.filter((p) => p.role !== 'shop' && p.role !== 'sim-llm');
  say(`pipeline: ${figures.throughput_qpm} q/min, p50 ${figures.latency_ms.p50} ms, lost ${acc.lost}, duplicates ${acc.duplicate_answers}/${ledger.duplicates}`);

  const report: Record<string, unknown> = {
    bench: 'load',
    machine: { nproc: cpus().length, cpu: cpus()[0]?.model ?? '', node: process.version },
    profile: a.profile,
    entry: cluster.from,
    settings: { conversations, turns_per_conversation: turns, llm_latency: a['llm-latency'], shop_latency_ms: shopLatency ?? '0', think_ms: a['think-ms'] ?? profile.thinkMs ?? null, workers, duration_s: durationMs ? durationMs / 1000 : null, env: serviceEnv },
    ...figures,
    // Per turn, per hop of the pipeline (see test/bench/overhead-breakdown.ts).
    overhead_breakdown_ms: overheadBreakdown(acc.timings, acc.events, jobTimes, seenMs),
    // Jobs of each queue in the system / running at once, fleet-wide: the demand the pools' slots meet.
    jobs_in_flight_peak: inFlightPeaks(jobTimes),
    // Share of the machine's cores the measured processes used over the run (all roles, Redis, shop, model double).
    cpu_utilisation: round(pipelineCpuMs / (run.endMs - run.startMs) / cpus().length, 3),
    queue_wait_ms: waits,
    // The accepted messages' ack as the ingress measured it (routed → answered; bucket bounds):
    // the driver's ingress_ack_ms minus this is the network, the kernel's queue, the ingress's
    // event loop before routing and the driver's own loop.
    ingress_ack_server_ms: ackServer(metrics0, metrics1),
    driver_loop_delay_ms: { p50: loopDelayMs(loopDelay.percentile(50)), p99: loopDelayMs(loopDelay.percentile(99)), max: loopDelayMs(loopDelay.max) },
    deadline_fallbacks: figures.fallbacks.deadline ?? 0,
    cpu_ms_per_query: round(pipelineCpuMs / queries, 2),
    cpu_ms_per_query_by_role: Object.fromEntries(Object.entries(byRole).map(([r, ms]) => [r, round(ms / queries, 2)])),
    cpu_ms_per_query_by_process: Object.fromEntries(Object.entries(byProcess).map(([r, ms]) => [r, round(ms / queries, 2)])),
    // The doubles (model and shop) do the same work for the same messages in every tree: steward's
    // own CPU over theirs compares two trees' runs when the shared machine's speed drifts between
    // runs (it moved 1.4× between runs of one tree in session 6, more than the changes measured).
    steward_cpu_per_doubles_cpu: round((pipelineCpuMs - doublesCpuMs) / Math.max(1e-9, doublesCpuMs), 2),
    rss_mb_by_role: rssByRole,
    // Redis commands per query over the measured run (the completion watcher's reads included), most called first.
    redis_calls_per_query: Object.fromEntries(
      [...cmd1]
        .map(([cmd, v]) => [cmd, round((v.calls - (cmd0.get(cmd)?.calls ?? 0)) / queries, 1)] as const)
        .filter(([, n]) => n > 0)
        .sort((x, y) => y[1] - x[1]),
    ),
    redis_bytes_per_conversation: Math.round((memAfter - memBefore) / Math.max(1, scripts.length)),
    writes_applied: [...ledger.perOrder.values()].reduce((x, y) => x + y, 0),
    duplicate_writes: ledger.duplicates,
    agent_processes: agentPids.length + 1,
  };

  if (!a['no-baseline']) {
    // Undo the pipeline's writes so the baseline's conversations find the same orders.
    await fetch(`${cluster.shopUrl}/v1/reset`, { method: 'POST' });
    const shared = cluster.procs.filter((p) => p.role === 'shop' || p.role === 'sim-llm').map((p) => p.pid);
    const bMeter = new CpuMeter();
    bMeter.begin(shared);
    const own0 = process.cpuUsage();
    const b = await runBaseline({ llmUrl: cluster.llmUrl, shopUrl: cluster.shopUrl, scripts, progress: progressBar('baseline', total) });
    const own = process.cpuUsage(own0);
    const baselineCpuMs = bMeter.totalMs() + (own.user + own.system) / 1000;
    const bQueries = Math.max(1, b.answered);
    const baselineCpuPerQuery = baselineCpuMs / bQueries;
    report.baseline = {
      queries: b.queries,
      answered: b.answered,
      errors: b.errors,
      throughput_qpm: round(b.answered / ((b.endMs - b.startMs) / 60_000), 0),
      latency_ms: { p50: percentile(b.latenciesMs, 50), p99: percentile(b.latenciesMs, 99) },
      turns_per_query: round(b.turns / Math.max(1, b.queries), 2),
      cpu_ms_per_query: round(baselineCpuPerQuery, 2),
    };
    report.durability_cpu_ratio = round(pipelineCpuMs / queries / baselineCpuPerQuery, 2);
  }
  if (acc.lost > 0 || acc.duplicate_answers > 0 || ledger.duplicates > 0) exitCode = 1;
  process.stdout.write(`${JSON.stringify(report)}\n`);
} catch (e) {
  say(`bench failed: ${(e as Error).stack ?? String(e)}`);
  say(`service logs: ${cluster.logDir}`);
  exitCode = 2;
} finally {
  await cluster.stop();
}
process.exit(exitCode);
