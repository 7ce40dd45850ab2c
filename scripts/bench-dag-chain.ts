// Per-link cost of the tool DAG: turns of one chain of N calls of 0 ms (each waits for the one
// before), through the controller and a tool-worker on a private Redis, as in bench-dag.ts.
// overhead = makespan − the calls' own durations; comparing N = 6 with N = 1 gives what each
// link of a chain costs, apart from the turn's fixed decide and observe hops.
//   node scripts/bench-dag-chain.ts [N]     (10 warm-up turns, 60 measured; prints one JSON line)
import { createRedis } from '@steward/store';
import { RedisServer, uniquePrefix } from '@steward/testing';
import { startControlPlane } from '../test/helpers/control-harness.ts';
import { testTools } from '../test/helpers/test-tools.ts';
const redisSrv = await RedisServer.start();
const prefix = uniquePrefix('chain');
const redis = createRedis(redisSrv.url);
const cp = await startControlPlane({ redisUrl: redisSrv.url, prefix, tools: testTools(redis, `${prefix}:counters`) });
const N = Number(process.argv[2] ?? 6);
// $call references make the edges (the planner reads them as dependencies).
const chain = (i: number) => Array.from({ length: N }, (_, j) => ({ name: 'work', arguments: { label: `x${i}c${j}`, ms: 0, after: j ? [`$call:${j - 1}`] : [] } }));
for (let i = 0; i < 10; i++) await cp.runTurn(chain(-i - 1));
const over: number[] = [];
for (let i = 0; i < 60; i++) {
  const run = await cp.runTurn(chain(i));
  const dur = run.events.reduce((a, e) => a + e.endMs - e.startMs, 0);
  over.push(run.makespanMs - dur);
}
over.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ chain: N, turns: over.length, overhead_ms_p50: over[30], overhead_ms_p90: over[54], overhead_ms_min: over[0] }) + '\n');
await cp.close();
redis.disconnect();
await redisSrv.stop();
