// Cache misses on a turn's critical path: turns of one chain of N cacheable 100 ms reads (the
// test double `lookup`, each key new, so every call misses, takes the single-flight lease, runs
// and stores its result), through the controller and a tool-worker on a private Redis, as in
// bench-dag.ts. Unlike bench-dag's overhead (makespan − the calls' measured durations), this
// one is makespan − N × the tool's nominal 100 ms: the cache's round trips sit inside a call's
// measured duration, so only this form shows them. `call_beyond_nominal`: a call's measured
// duration − 100 ms (the cache lookup and lease, the tool double's own counter write, the store
// when it was awaited before the result; timer lateness).
//   node scripts/bench-dag-cached.ts [--chain 3] [--turns 40]   (5 warm-up turns; JSON report last)
import { parseArgs } from 'node:util';
import { createRedis } from '@steward/store';
import { RedisServer, uniquePrefix } from '@steward/testing';
import { startControlPlane } from '../test/helpers/control-harness.ts';
import { testTools } from '../test/helpers/test-tools.ts';

const { values } = parseArgs({ options: { chain: { type: 'string', default: '3' }, turns: { type: 'string', default: '40' } } });
const N = Number(values.chain);
const NOMINAL_MS = 100;
const redisSrv = await RedisServer.start();
const prefix = uniquePrefix('cachedchain');
const redis = createRedis(redisSrv.url);
const cp = await startControlPlane({ redisUrl: redisSrv.url, prefix, tools: testTools(redis, `${prefix}:counters`) });
// $call references make the edges; a fresh key per call makes every call a miss.
const chain = (i: number) => Array.from({ length: N }, (_, j) => ({ name: 'lookup', arguments: { key: `t${i}c${j}`, ...(j ? { after: `$call:${j - 1}` } : {}) } }));
const pct = (xs: number[], p: number) => {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.max(0, Math.ceil((p / 100) * a.length) - 1))]!;
};
try {
  for (let i = 0; i < 5; i++) await cp.runTurn(chain(-i - 1));
  const over: number[] = [];
  const beyond: number[] = [];
  let hits = 0;
  for (let i = 0; i < Number(values.turns); i++) {
    const run = await cp.runTurn(chain(i));
    over.push(run.makespanMs - N * NOMINAL_MS);
    for (const e of run.events) {
      beyond.push(e.endMs - e.startMs - NOMINAL_MS);
      if (e.cacheHit) hits++;
    }
  }
  const report = {
    chain: N,
    turns: over.length,
    cache_hits: hits,
    overhead_vs_nominal_ms: { p50: pct(over, 50), p90: pct(over, 90), mean: Math.round((over.reduce((a, b) => a + b, 0) / over.length) * 10) / 10 },
    call_beyond_nominal_ms: { p50: pct(beyond, 50), p90: pct(beyond, 90), mean: Math.round((beyond.reduce((a, b) => a + b, 0) / beyond.length) * 100) / 100 },
  };
  process.stdout.write(JSON.stringify(report) + '\n');
} finally {
  await cp.close();
  redis.disconnect();
  await redisSrv.stop();
}
