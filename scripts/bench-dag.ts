// `pnpm bench:dag`: how close the tool DAG of a turn gets to its critical path through the real
// queues (controller + tool-worker on a private Redis). Prints a JSON report as the last line.
//   overhead = makespan − critical path, where makespan runs from the model's proposal arriving
//   to the turn's observe step having ended (the next turn's reasoning job added to its queue,
//   or the query completed: the moment Redis wrote that entry), and the critical path is the
//   longest dependency chain of the calls' measured durations (so it is pure orchestration cost).
// The proposal is decided as production does (ADR 0016): in place, by the same step the
// reasoning-worker calls after its model call (decideWhereProposed), not through a `decide`
// job the controller takes. `--decide job` keeps the old hop, for comparison. The end of the
// turn is read with a blocking XREAD (test/bench/turn-done.ts), not by polling the query.
// `segments` breaks that cost down per hop (see addSegments below): p50/p99 in ms of each.
import { parseArgs } from 'node:util';
import { jobIds, newConversationId, newQueryId, newTraceId, type LlmUsage, type Proposal, type ToolCallEventData } from '@steward/core';
import { createRedis, openStore, readQueryEvents } from '@steward/store';
import { decideWhereProposed, stepDeps } from '@steward/steps';
import { ToolRegistry } from '@steward/tools';
import { createLogger } from '@steward/telemetry';
import { RedisServer, uniquePrefix } from '@steward/testing';
import { startControlPlane, type ControlPlane } from '../test/helpers/control-harness.ts';
import { testTools } from '../test/helpers/test-tools.ts';
import { TurnDoneWatcher } from '../test/bench/turn-done.ts';

const { values } = parseArgs({
  options: {
    dags: { type: 'string', default: '120' },
    seed: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '10' },
    // in_place: as production (the reasoning-worker decides); job: the old bench's decide job.
    decide: { type: 'string', default: 'in_place' },
  },
});
const DAGS = Number(values.dags);
const DECIDE = values.decide === 'job' ? 'job' : 'in_place';
if (values.decide !== DECIDE) throw new Error(`--decide must be in_place or job, not ${values.decide}`);

/** One measured turn: when the proposal arrived, when its observe step had ended, its calls. */
interface TurnRun {
  queryId: string;
  startedMs: number;
  /** When Redis wrote the turn's end (stream entry time); makespan = observedMs − startedMs. */
  observedMs: number;
  /** When the harness read that entry (its own wake-up, outside the figure). */
  seenMs: number;
  makespanMs: number;
  /** In place: how long decideWhereProposed took (the decision committed, the roots relayed). */
  decideMs?: number;
  events: ToolCallEventData[];
}

let s = Number(values.seed);
const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

interface Spec {
  calls: { name: string; arguments: Record<string, unknown> }[];
  deps: number[][];
  latencies: number[];
}

function seedCase(): Spec {
  return {
    calls: [
      { name: 'get_product_info', arguments: { product_id: 'p1' } },
      { name: 'check_inventory', arguments: { product_id: 'p1' } },
      { name: 'calculate_shipping', arguments: { product_id: 'p1', zip: '10001' } },
    ],
    deps: [[], [0], [0]],
    latencies: [20, 50, 80],
  };
}

function randomDag(i: number): Spec {
  const n = 2 + Math.floor(rand() * 7);
  const deps: number[][] = [];
  const latencies: number[] = [];
  const calls = [];
  for (let j = 0; j < n; j++) {
    const d: number[] = [];
    for (let k = 0; k < j; k++) if (rand() < 0.3) d.push(k);
    const ms = 5 + Math.floor(rand() * 95);
    deps.push(d);
    latencies.push(ms);
    calls.push({ name: 'work', arguments: { label: `d${i}c${j}`, ms, after: d.map((k) => `$call:${k}`) } });
  }
  return { calls, deps, latencies };
}

function longestPath(deps: number[][], dur: number[]): number {
  const finish: number[] = [];
  for (let j = 0; j < deps.length; j++) finish[j] = dur[j]! + Math.max(0, ...deps[j]!.map((k) => finish[k]!));
  return Math.max(...finish);
}

const pct = (xs: number[], p: number) => {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.max(0, Math.ceil((p / 100) * a.length) - 1))]!;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Where one turn's orchestration time went, from the BullMQ jobs kept after completion (their
 * add, take and finish times) and the calls' events. For each call, from the moment it could
 * start (its dependencies' last end; for a root, the decide job taken) to its start:
 *   release  = that moment → its job added (the completion script, or the decide step),
 *   queue    = added → a worker took it (the add's own round trip, the worker's fetch),
 *   start    = taken → the call started (the call's reads),
 *   in_place = dependencies ended → started, for a call run by the worker that released it;
 *   root_beside = the proposal arrived → started, for a root the job of another root claimed
 *   and ran beside its own call (ADR 0031; its own job left it);
 * and after the last call ended: observe_total (last call's end → the turn's end written: the next
 * reasoning job added, or the query completed). observe_wake: that entry written → the bench read
 * it (the harness's own latency, outside every other figure). next_turn_relay: the step committed
 * (the next reasoning job's add began: its timestamp) → that job added (its entry written), the
 * part of observe_total the old harness's end (the committed state seen by a poll) left out.
 * The tool-worker takes that step in the job of the last call, so there is
 * no job to split it by; only when an observe job exists (a controller took the step: an older
 * tool-worker) also observe_release (→ observe job added), observe_queue (→ taken) and
 * observe_step (→ seen; the job's own finish time comes after the state it commits).
 * root_spread: the last root's start − the first root's, per turn with two or more roots.
 * decide_in_place (the default mode): the proposal arrived → decideWhereProposed returned (load,
 * the kernel's transition, the commit and the roots' relay; the roots' release overlaps it).
 * decide_queue (only with --decide job): decide added → taken. call_overrun: a call's measured time beyond its tool's
 * nominal latency (timer lateness and the tool double's own Redis write).
 */
async function addSegments(cp: ControlPlane, spec: Spec, run: TurnRun, seg: Record<string, number[]>): Promise<void> {
  const add = (k: string, v: number) => (seg[k] ??= []).push(v);
  const get = (q: 'control' | 'tools', id: string) => cp.queues[q].getJob(id);
  const [decide, observe, next, ...tools] = await Promise.all([
    DECIDE === 'job' ? get('control', jobIds.decide(run.queryId, 0)) : undefined,
    get('control', jobIds.observe(run.queryId, 0)),
    cp.queues.reasoning.getJob(jobIds.reason(run.queryId, 1)),
    ...run.events.map((e) => get('tools', jobIds.toolCall(run.queryId, 0, e.index))),
  ]);
  // In place the decision starts when the proposal arrives; a decide job waits to be taken.
  const decideTaken = decide?.processedOn ?? run.startedMs;
  if (DECIDE === 'job') add('decide_queue', decideTaken - run.startedMs);
  if (run.decideMs !== undefined) add('decide_in_place', run.decideMs);
  const end = new Map(run.events.map((e) => [e.index, e.endMs]));
  for (const [k, e] of run.events.entries()) {
    const deps = spec.deps[e.index] ?? [];
    const free = deps.length ? Math.max(...deps.map((j) => end.get(j) ?? 0)) : decideTaken;
    const job = tools[k];
    // The call's own time beyond the tool double's sleep (counted in the critical path, not the overhead).
    add('call_overrun', e.endMs - e.startMs - (spec.latencies[e.index] ?? 0));
    // A root's own job that found its call claimed by a sibling's job left it (ran nothing).
    const left = typeof job?.returnvalue === 'object' && job.returnvalue !== null && 'leftTo' in job.returnvalue;
    if (job?.processedOn !== undefined && job.processedOn <= e.startMs && !left) {
      add(deps.length ? 'release' : 'root_release', job.timestamp - free);
      add('queue', job.processedOn - job.timestamp);
      add('start', e.startMs - job.processedOn);
    } else {
      add(deps.length ? 'in_place' : 'root_beside', e.startMs - free);
    }
  }
  // How far apart the turn's roots started (turns with two or more): one BullMQ fetch apart each
  // when every root is its own job; together when the first root's job claims the others.
  const rootStarts = run.events.filter((e) => (spec.deps[e.index] ?? []).length === 0).map((e) => e.startMs);
  if (rootStarts.length > 1) add('root_spread', Math.max(...rootStarts) - Math.min(...rootStarts));
  const lastEnd = Math.max(...run.events.map((e) => e.endMs));
  add('observe_total', run.observedMs - lastEnd);
  add('observe_wake', run.seenMs - run.observedMs);
  // The step's commit is over when its relay starts (the job's timestamp, taken by Queue.add):
  // the old harness's end (it saw the committed state) was about here, plus its poll interval.
  if (next) add('next_turn_relay', run.observedMs - next.timestamp);
  if (observe?.processedOn !== undefined) {
    add('observe_release', observe.timestamp - lastEnd);
    add('observe_queue', observe.processedOn - observe.timestamp);
    add('observe_step', run.observedMs - observe.processedOn);
  }
}

const redisSrv = await RedisServer.start();
const prefix = uniquePrefix('benchdag');
const redis = createRedis(redisSrv.url);
const tools = testTools(redis, `${prefix}:counters`);
const cp = await startControlPlane({ redisUrl: redisSrv.url, prefix, tools });
// The reasoning-worker's side: its own connection and step dependencies, the controller's rules
// (as cfg.controller gives both roles), and the step it takes when a proposal arrives.
const store = openStore(redisSrv.url, prefix);
const steps = stepDeps(store, new ToolRegistry(tools), createLogger({ service: 'bench-dag', level: 'warn' }), { requireConfirmation: false });
const watcher = await TurnDoneWatcher.start(redisSrv.url, prefix);

/**
 * One turn of these calls in a fresh query. The query is accepted and read first (the
 * reasoning-worker loads it before its model call); the clock starts when the proposal exists.
 * The proposal carries a model call's usage, as the reasoning-worker's does (its cost is
 * recorded in the step's own round trip).
 */
async function runTurn(calls: Spec['calls']): Promise<TurnRun> {
  const queryId = newQueryId();
  const conversationId = newConversationId();
  await cp.queries.accept({ queryId, conversationId, channel: 'api', text: 'test', language: 'en', traceId: newTraceId(), createdMs: Date.now() }, 60_000);
  const known = DECIDE === 'in_place' ? await cp.queries.get(queryId) : null;
  const proposal: Proposal = { kind: 'tool_calls', calls: calls.map((c, i) => ({ id: `call_0_${i}`, name: c.name, arguments: c.arguments })) };
  const done = watcher.wait(queryId, 0);
  const t0 = Date.now();
  let decideMs: number | undefined;
  if (DECIDE === 'in_place') {
    if (!known) throw new Error(`query ${queryId} was not found after its accept`);
    const usage: LlmUsage = { model: 'bench', provider: 'bench', inputTokens: 900, outputTokens: 60, cachedInputTokens: 0, costUsd: 0, startMs: t0, endMs: t0, retries: 0 };
    const r = await decideWhereProposed(steps, known, { queryId, turn: 0, proposal, usage });
    if (r !== 'applied') throw new Error(`the proposal of ${queryId} was not applied: ${r}`);
    decideMs = Date.now() - t0;
  } else {
    await cp.queues.add('control', jobIds.decide(queryId, 0), { type: 'decide', queryId, turn: 0, proposal });
  }
  const end = await done;
  const events = (await readQueryEvents(cp.redis, steps.keys, queryId))
    .filter((e) => e.type === 'tool.call')
    .map((e) => e.data as ToolCallEventData)
    .filter((e) => e.turn === 0)
    .sort((a, b) => a.index - b.index);
  return { queryId, startedMs: t0, observedMs: end.atMs, seenMs: end.seenMs, makespanMs: end.atMs - t0, ...(decideMs === undefined ? {} : { decideMs }), events };
}

try {
  const specs: Spec[] = [...Array.from({ length: 20 }, seedCase), ...Array.from({ length: DAGS }, (_, i) => randomDag(i))];
  for (let i = 0; i < Number(values.warmup); i++) await runTurn(seedCase().calls);
  const crit: number[] = [];
  const make: number[] = [];
  const over: number[] = [];
  const seq: number[] = [];
  const seedOver: number[] = [];
  const seg: Record<string, number[]> = {};
  for (const [i, spec] of specs.entries()) {
    const run = await runTurn(spec.calls);
    const measured = run.events.map((e) => e.endMs - e.startMs);
    const cp2 = longestPath(spec.deps, measured);
    crit.push(cp2);
    make.push(run.makespanMs);
    over.push(run.makespanMs - cp2);
    seq.push(spec.latencies.reduce((a, b) => a + b, 0));
    if (i < 20) seedOver.push(run.makespanMs - cp2);
    await addSegments(cp, spec, run, seg);
    process.stderr.write(`\r[bench:dag] ${i + 1}/${specs.length}`);
  }
  process.stderr.write('\n');
  const report = {
    dags: specs.length,
    decide: DECIDE,
    seed_case_runs: 20,
    seed_case_overhead_ms_p50: r1(pct(seedOver, 50)),
    critical_path_ms_p50: r1(pct(crit, 50)),
    makespan_ms_p50: r1(pct(make, 50)),
    overhead_ms_p50: r1(pct(over, 50)),
    overhead_ms_p99: r1(pct(over, 99)),
    sequential_ms_p50: r1(pct(seq, 50)),
    segments: Object.fromEntries(Object.entries(seg).map(([k, v]) => [k, { n: v.length, p50: r1(pct(v, 50)), p99: r1(pct(v, 99)) }])),
  };
  process.stdout.write(JSON.stringify(report) + '\n');
} finally {
  await watcher.close();
  await store.close();
  await cp.close();
  redis.disconnect();
  await redisSrv.stop();
}
