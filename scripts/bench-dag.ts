// `pnpm bench:dag`: how close the tool DAG of a turn gets to its critical path through the real
// queues (controller + tool-worker on a private Redis). Prints a JSON report as the last line.
//   overhead = makespan − critical path, where makespan runs from the decide job being enqueued
//   to the turn's observe step being recorded (by the tool-worker that recorded the turn's last
//   result; by the controller for an older worker's observe job), and the critical path is the
//   longest dependency chain of the calls' measured durations (so it is pure orchestration cost).
// `segments` breaks that cost down per hop (see addSegments below): p50/p99 in ms of each.
import { parseArgs } from 'node:util';
import { jobIds } from '@steward/core';
import { createRedis } from '@steward/store';
import { RedisServer, uniquePrefix } from '@steward/testing';
import { startControlPlane, type ControlPlane, type TurnRun } from '../test/helpers/control-harness.ts';
import { testTools } from '../test/helpers/test-tools.ts';

const { values } = parseArgs({
  options: { dags: { type: 'string', default: '120' }, seed: { type: 'string', default: '7' }, warmup: { type: 'string', default: '10' } },
});
const DAGS = Number(values.dags);

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
 * and after the last call ended: observe_total (last call's end → the bench saw the step recorded;
 * it polls every 2 ms). The tool-worker takes that step in the job of the last call, so there is
 * no job to split it by; only when an observe job exists (a controller took the step: an older
 * tool-worker) also observe_release (→ observe job added), observe_queue (→ taken) and
 * observe_step (→ seen; the job's own finish time comes after the state it commits).
 * decide_queue: decide added → taken. call_overrun: a call's measured time beyond its tool's
 * nominal latency (timer lateness and the tool double's own Redis write).
 */
async function addSegments(cp: ControlPlane, spec: Spec, run: TurnRun, seg: Record<string, number[]>): Promise<void> {
  const add = (k: string, v: number) => (seg[k] ??= []).push(v);
  const get = (q: 'control' | 'tools', id: string) => cp.queues[q].getJob(id);
  const [decide, observe, ...tools] = await Promise.all([
    get('control', jobIds.decide(run.queryId, 0)),
    get('control', jobIds.observe(run.queryId, 0)),
    ...run.events.map((e) => get('tools', jobIds.toolCall(run.queryId, 0, e.index))),
  ]);
  const decideTaken = decide?.processedOn ?? run.startedMs;
  add('decide_queue', decideTaken - run.startedMs);
  const end = new Map(run.events.map((e) => [e.index, e.endMs]));
  for (const [k, e] of run.events.entries()) {
    const deps = spec.deps[e.index] ?? [];
    const free = deps.length ? Math.max(...deps.map((j) => end.get(j) ?? 0)) : decideTaken;
    const job = tools[k];
    // The call's own time beyond the tool double's sleep (counted in the critical path, not the overhead).
    add('call_overrun', e.endMs - e.startMs - (spec.latencies[e.index] ?? 0));
    if (job?.processedOn !== undefined && job.processedOn <= e.startMs) {
      add(deps.length ? 'release' : 'root_release', job.timestamp - free);
      add('queue', job.processedOn - job.timestamp);
      add('start', e.startMs - job.processedOn);
    } else {
      add('in_place', e.startMs - free);
    }
  }
  const lastEnd = Math.max(...run.events.map((e) => e.endMs));
  add('observe_total', run.observedMs - lastEnd);
  if (observe?.processedOn !== undefined) {
    add('observe_release', observe.timestamp - lastEnd);
    add('observe_queue', observe.processedOn - observe.timestamp);
    add('observe_step', run.observedMs - observe.processedOn);
  }
}

const redisSrv = await RedisServer.start();
const prefix = uniquePrefix('benchdag');
const redis = createRedis(redisSrv.url);
const cp = await startControlPlane({ redisUrl: redisSrv.url, prefix, tools: testTools(redis, `${prefix}:counters`) });
try {
  const specs: Spec[] = [...Array.from({ length: 20 }, seedCase), ...Array.from({ length: DAGS }, (_, i) => randomDag(i))];
  for (let i = 0; i < Number(values.warmup); i++) await cp.runTurn(seedCase().calls);
  const crit: number[] = [];
  const make: number[] = [];
  const over: number[] = [];
  const seq: number[] = [];
  const seedOver: number[] = [];
  const seg: Record<string, number[]> = {};
  for (const [i, spec] of specs.entries()) {
    const run = await cp.runTurn(spec.calls);
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
  await cp.close();
  redis.disconnect();
  await redisSrv.stop();
}
