// `pnpm bench:dag`: how close the tool DAG of a turn gets to its critical path through the real
// queues (controller + tool-worker on a private Redis). Prints a JSON report as the last line.
//   overhead = makespan − critical path, where makespan runs from the decide job being enqueued
//   to the controller having recorded the turn's observations, and the critical path is the
//   longest dependency chain of the calls' measured durations (so it is pure orchestration cost).
import { parseArgs } from 'node:util';
import { createRedis } from '@steward/store';
import { RedisServer, uniquePrefix } from '@steward/testing';
import { startControlPlane } from '../test/helpers/control-harness.ts';
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
  for (const [i, spec] of specs.entries()) {
    const run = await cp.runTurn(spec.calls);
    const measured = run.events.map((e) => e.endMs - e.startMs);
    const cp2 = longestPath(spec.deps, measured);
    crit.push(cp2);
    make.push(run.makespanMs);
    over.push(run.makespanMs - cp2);
    seq.push(spec.latencies.reduce((a, b) => a + b, 0));
    if (i < 20) seedOver.push(run.makespanMs - cp2);
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
  };
  process.stdout.write(JSON.stringify(report) + '\n');
} finally {
  await cp.close();
  redis.disconnect();
  await redisSrv.stop();
}
