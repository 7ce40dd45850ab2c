// The tool cache on a call's path, alone: a cacheable read of a 0 ms local tool through the
// tool-worker's execute(), then its result recorded (stood in by one HSET, as the DAG's record
// is one script), on a private Redis. A miss (a new key each time) and a write's invalidation
// of two tags, timed from the call's start to its result recorded; µs per call, p50 / p90.
// Runs against another tree's code when copied into a directory that links that tree's
// node_modules, packages and services (how BENCHMARKS.md's before/after was taken).
//   node scripts/bench-cache-path.ts [--calls 2000]      (JSON report last)
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { createKeys, createRedis, ToolCache } from '@steward/store';
import { RedisServer, uniquePrefix } from '@steward/testing';
import type { ToolSpec } from '@steward/tools';
// eslint-disable-next-line no-restricted-imports -- execute() alone, in this tree and in an older one that does not export it
import { execute } from '../services/tool-worker/src/execute.ts';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '2000' } } });
const CALLS = Number(values.calls);
const redisSrv = await RedisServer.start();
const prefix = uniquePrefix('cachepath');
const keys = createKeys(prefix);
const redis = createRedis(redisSrv.url);
const cache = new ToolCache(redis, keys);
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const spec: ToolSpec = {
  name: 'get_product_details',
  description: 'A cacheable read (0 ms).',
  parameters: z.object({ product_id: z.string() }),
  readOnly: true,
  cacheTtlSec: 60,
  cacheTags: (args) => [`product:${String(args.product_id)}`, 'catalog:all'],
  run: (args) => `details of ${String(args.product_id)}`,
};
// The deps execute() reads (an older tree's signature asks for all of ToolWorkerDeps).
const deps = { cache, shop: { invoke: () => Promise.reject(new Error('no shop')) }, toolTimeoutMs: 5000, log } as unknown as Parameters<typeof execute>[0];
const pct = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
try {
  const miss: number[] = [];
  const inval: number[] = [];
  for (let i = -200; i < CALLS; i++) {
    const t0 = performance.now();
    const r = (await execute(deps, spec, { product_id: `p${i}` }, null, `k${i}`)) as { cached?: Promise<void> };
    // The result's record, with the store when it goes out beside it.
    await Promise.all([redis.hset(`${prefix}:dag`, `r:${i}`, 'x'), r.cached]);
    const t1 = performance.now();
    await cache.invalidate([`product:p${i}`, 'catalog:all']);
    const t2 = performance.now();
    if (i >= 0) {
      miss.push((t1 - t0) * 1000);
      inval.push((t2 - t1) * 1000);
    }
  }
  const r0 = (x: number) => Math.round(x);
  process.stdout.write(
    JSON.stringify({
      calls: CALLS,
      miss_to_recorded_us: { p50: r0(pct(miss, 50)), p90: r0(pct(miss, 90)) },
      invalidate_two_tags_us: { p50: r0(pct(inval, 50)), p90: r0(pct(inval, 90)) },
    }) + '\n',
  );
} finally {
  redis.disconnect();
  await redisSrv.stop();
}
