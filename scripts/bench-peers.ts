// Peers side by side in one run: the load's message mix (English and Mandarin conversations
// about the shop's real data), the same commerce tools over the same shop and the same model
// double (sim-llm over HTTP, OpenAI-compatible), through
//   - steward's in-process loop (test/bench/baseline.ts: the pipeline's agent code without queues),
//   - the OpenAI Agents SDK for JavaScript (chat-completions model, history carried per conversation),
//   - LangGraph.js createReactAgent with MemorySaver and with the durable SQLite checkpointer,
//   - optionally (--pipeline) steward's pipeline itself: every service its own process.
// Each run gets the shop reset first and a short unmeasured warm-up. CPU per query = this
// process (in-process agents) or every service and Redis (pipeline), plus the shop and sim-llm
// on both sides. Progress on stderr; the JSON report is the last line on stdout.
//
//   node scripts/bench-peers.ts [--conversations 100] [--turns-per-conversation 3]
//                               [--peers baseline,openai-agents,langgraph-memory,langgraph-sqlite] [--pipeline]
//                               [--workers 2]   (the pipeline's reasoning-worker and tool-worker processes each)
//                               [--job-locks 1500/500/250]   (the pipeline's JOB_LOCK_MS/JOB_LOCK_RENEW_MS/STALLED_INTERVAL_MS)
//                               [--active-replicas 1]   (the pipeline's ACTIVE_REPLICAS: the other processes of a role stand by)
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { progressBar } from '@steward/commerce';
import { Cluster } from '../test/bench/cluster.ts';
import { buildScripts, fetchExport, type Script } from '../test/bench/conversations.ts';
import { CompletionWatcher } from '../test/bench/completions.ts';
import { drive } from '../test/bench/driver.ts';
import { account } from '../test/bench/pipeline-report.ts';
import { CpuMeter } from '../test/bench/proc-cpu.ts';
import { readWriteLedger } from '../test/bench/shop-writes.ts';
import { runBaseline } from '../test/bench/baseline.ts';
import { percentile, round } from '../test/bench/stats.ts';
import { runConversations, type Ask, type PeerRun } from '../test/bench/peers/run-conversations.ts';
import { peerTools } from '../test/bench/peers/shop-tools.ts';
import { langGraphAgent } from '../test/bench/peers/langgraph-agent.ts';
import { openAiAgent } from '../test/bench/peers/openai-agent.ts';

const PEERS = ['baseline', 'openai-agents', 'langgraph-memory', 'langgraph-sqlite'] as const;
type Peer = (typeof PEERS)[number];
const { values: a } = parseArgs({
  options: {
    conversations: { type: 'string', default: '100' },
    workers: { type: 'string', default: '2' },
    'turns-per-conversation': { type: 'string', default: '3' },
    peers: { type: 'string', default: PEERS.join(',') },
    pipeline: { type: 'boolean', default: false },
    'llm-latency': { type: 'string', default: '0' },
    'job-locks': { type: 'string' },
    'active-replicas': { type: 'string' },
  },
});
const chosen = a.peers.split(',').map((p) => p.trim()) as Peer[];
for (const p of chosen) if (!PEERS.includes(p)) throw new Error(`unknown peer ${p}; one of ${PEERS.join(', ')}`);
const say = (s: string): void => void process.stderr.write(`${s}\n`);
const conversations = Number(a.conversations);
const turns = Number(a['turns-per-conversation']);

interface Figures {
  queries: number;
  answered: number;
  errors: number;
  throughput_qpm: number;
  latency_ms: { p50: number; p99: number };
  llm_calls_per_query: number;
  tool_calls_per_query?: number;
  writes_applied: number;
  cpu_ms_per_query: number;
  /** Pipeline only: CPU its processes use with no load (timers, lock renewals, stalled checks, polling), ms per s. */
  idle_cpu_ms_per_s?: number;
  /** Pipeline only: cpu_ms_per_query less that idle CPU over the run's wall time. */
  cpu_ms_per_query_above_idle?: number;
  first_error?: string;
}

say(`peers: starting the shop, sim-llm${a.pipeline ? ' and the pipeline' : ''} (sim-llm latency ${a['llm-latency']}) …`);
const locks = a['job-locks']?.split('/');
const cluster = await Cluster.start({
  workers: Number(a.workers),
  llmLatency: a['llm-latency'],
  env: {
    ...(locks ? { JOB_LOCK_MS: locks[0] ?? '', JOB_LOCK_RENEW_MS: locks[1] ?? '', STALLED_INTERVAL_MS: locks[2] ?? '' } : {}),
    ...(a['active-replicas'] ? { ACTIVE_REPLICAS: a['active-replicas'] } : {}),
  },
});
const tmp = mkdtempSync(join(tmpdir(), 'steward-peers-'));
const results: Record<string, Figures> = {};
let exitCode = 0;
try {
  const data = await fetchExport(cluster.shopUrl);
  const runId = Date.now().toString(36);
  const scripts = buildScripts(data, conversations, turns, runId);
  const total = scripts.reduce((n, s) => n + s.messages.length, 0);
  const warm = (tag: string): Script[] =>
    buildScripts(data, 10, 1, `warm-${tag}-${runId}`)
      .filter((s) => !s.writeOrder)
      .map((s) => ({ ...s, conversationId: `w_${tag}_${s.conversationId}`, messages: s.messages.slice(0, 1) }));
  const shared = cluster.procs.filter((p) => p.role === 'shop' || p.role === 'sim-llm').map((p) => p.pid);
  const writes = (): number => [...readWriteLedger(cluster.shopDb).perOrder.values()].reduce((x, y) => x + y, 0);

  /** One in-process agent: shop reset, warm-up, then the measured run (this process + shop + sim-llm). */
  const measure = async (name: string, go: (s: Script[], measured: boolean) => Promise<PeerRun & { toolCalls?: number }>): Promise<void> => {
    await fetch(`${cluster.shopUrl}/v1/reset`, { method: 'POST' });
    await go(warm(name), false);
    const w0 = writes();
    const meter = new CpuMeter();
    meter.begin(shared);
    const own0 = process.cpuUsage();
    const r = await go(scripts, true);
    const own = process.cpuUsage(own0);
    const cpuMs = meter.totalMs() + (own.user + own.system) / 1000;
    const n = Math.max(1, r.answered);
    results[name] = {
      queries: r.queries,
      answered: r.answered,
      errors: r.errors,
      throughput_qpm: round(r.answered / ((r.endMs - r.startMs) / 60_000), 0),
      latency_ms: { p50: percentile(r.latenciesMs, 50), p99: percentile(r.latenciesMs, 99) },
      llm_calls_per_query: round(r.llmCalls / Math.max(1, r.queries), 2),
      ...(r.toolCalls !== undefined ? { tool_calls_per_query: round(r.toolCalls / Math.max(1, r.queries), 2) } : {}),
      writes_applied: writes() - w0,
      cpu_ms_per_query: round(cpuMs / n, 2),
      ...(r.firstError ? { first_error: r.firstError } : {}),
    };
    say(`${name}: ${results[name].throughput_qpm} q/min, ${results[name].cpu_ms_per_query} ms CPU/query, ${r.errors} errors`);
  };

  for (const peer of chosen) {
    const bar = (measured: boolean) => (measured ? progressBar(peer, total) : undefined);
    if (peer === 'baseline') {
      await measure(peer, async (s, m) => {
        const progress = bar(m);
        const b = await runBaseline({ llmUrl: cluster.llmUrl, shopUrl: cluster.shopUrl, scripts: s, ...(progress ? { progress } : {}) });
        return { queries: b.queries, answered: b.answered, errors: b.errors, llmCalls: b.turns, latenciesMs: b.latenciesMs, startMs: b.startMs, endMs: b.endMs };
      });
      continue;
    }
    const tools = peerTools(cluster.shopUrl);
    const agent: { ask: Ask; close?: () => void } =
      peer === 'openai-agents'
        ? openAiAgent({ llmUrl: cluster.llmUrl, tools })
        : langGraphAgent({ llmUrl: cluster.llmUrl, tools, saver: peer === 'langgraph-sqlite' ? 'sqlite' : 'memory', sqliteFile: join(tmp, 'checkpoints.db') });
    await measure(peer, async (s, m) => {
      tools.calls = 0;
      const r = await runConversations(s, agent.ask, bar(m));
      return { ...r, toolCalls: tools.calls };
    });
    agent.close?.();
  }

  if (a.pipeline) {
    // The pipeline as `pnpm bench` measures it: every service and Redis, plus the shop and sim-llm.
    await fetch(`${cluster.shopUrl}/v1/reset`, { method: 'POST' });
    const watcher = new CompletionWatcher(cluster.redisUrl, cluster.prefix);
    await watcher.start();
    await drive({ baseUrl: cluster.ingressUrl, apiKey: cluster.apiKey, scripts: warm('pipeline'), watcher });
    const pScripts = scripts.map((s) => ({ ...s, conversationId: `pl_${s.conversationId}` }));
    const w0 = writes();
    const pids = [...cluster.pids(), await cluster.redisPid()];
    // The pipeline's processes at rest first: what they spend on their own timers, not on queries.
    const idle = new CpuMeter();
    idle.begin(pids);
    const idleMs = 5_000;
    await new Promise((r) => setTimeout(r, idleMs));
    const idlePerS = idle.totalMs() / (idleMs / 1000);
    const meter = new CpuMeter();
    meter.begin(pids);
    const run = await drive({ baseUrl: cluster.ingressUrl, apiKey: cluster.apiKey, scripts: pScripts, watcher, progress: progressBar('pipeline', total), answerTimeoutMs: 180_000 });
    const cpuMs = meter.totalMs();
    const acc = await account(run, watcher, { redisUrl: cluster.redisUrl, prefix: cluster.prefix, baseUrl: cluster.ingressUrl, apiKey: cluster.apiKey });
    await watcher.stop();
    const answered = acc.timings.filter((t) => t.completed.outcome === 'answered');
    const lat = run.records.filter((r) => r.latencyMs !== undefined).map((r) => r.latencyMs!);
    results.pipeline = {
      queries: acc.accepted,
      answered: answered.length,
      errors: acc.accepted - answered.length + acc.not_accepted,
      throughput_qpm: round(acc.timings.length / ((run.endMs - run.startMs) / 60_000), 0),
      latency_ms: { p50: percentile(lat, 50), p99: percentile(lat, 99) },
      llm_calls_per_query: round(acc.timings.reduce((n, t) => n + t.turns, 0) / Math.max(1, acc.timings.length), 2),
      writes_applied: writes() - w0,
      cpu_ms_per_query: round(cpuMs / Math.max(1, acc.timings.length), 2),
      idle_cpu_ms_per_s: round(idlePerS, 1),
      cpu_ms_per_query_above_idle: round((cpuMs - (idlePerS * (run.endMs - run.startMs)) / 1000) / Math.max(1, acc.timings.length), 2),
    };
    say(`pipeline: ${results.pipeline.throughput_qpm} q/min, ${results.pipeline.cpu_ms_per_query} ms CPU/query, lost ${acc.lost}`);
    if (acc.lost > 0 || acc.duplicate_answers > 0) exitCode = 1;
  }
  for (const r of Object.values(results)) if (r.answered === 0) exitCode = 1;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'peers',
      machine: { nproc: cpus().length, cpu: cpus()[0]?.model ?? '', node: process.version },
      settings: { conversations, turns_per_conversation: turns, llm_latency: a['llm-latency'], messages: total, pipeline_workers: Number(a.workers), pipeline_active_replicas: Number(a['active-replicas'] ?? 0) },
      results,
    })}\n`,
  );
} catch (e) {
  say(`bench-peers failed: ${(e as Error).stack ?? String(e)}\nservice logs: ${cluster.logDir}`);
  exitCode = 2;
} finally {
  await cluster.stop();
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(exitCode);
