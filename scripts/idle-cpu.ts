// CPU each service process spends while no message arrives (timers, lock renewals, polling,
// metric flushes): the fixed cost a replica adds whatever the load.
//
//   node scripts/idle-cpu.ts [--workers 2] [--seconds 30] [--cpu-prof DIR]  (profiles: run from the sources)
// Prints per role: CPU ms per second of wall time (mean over its processes); the JSON report last.
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Cluster, CLUSTER_ROLES } from '../test/bench/cluster.ts';
import { ensureBuilt } from './lib/build-services.ts';
import { cpuMsOf } from '../test/bench/proc-cpu.ts';
import { round } from '../test/bench/stats.ts';

const { values: a } = parseArgs({ options: { workers: { type: 'string', default: '2' }, seconds: { type: 'string', default: '30' }, 'cpu-prof': { type: 'string' } } });
await ensureBuilt(CLUSTER_ROLES);
const cluster = await Cluster.start({ from: a['cpu-prof'] ? 'source' : 'compiled', workers: Number(a.workers), ...(a['cpu-prof'] ? { cpuProfDir: resolve(a['cpu-prof']) } : {}) });
try {
  // Start-up work (connections, script loads, the tokenizer warm-up) is not idle cost.
  await new Promise((r) => setTimeout(r, a['cpu-prof'] ? 15_000 : 5_000));
  const redisPid = await cluster.redisPid();
  const procs = [...cluster.procs.map((p) => ({ pid: p.pid, role: p.role })), { pid: redisPid, role: 'redis' }];
  const before = new Map(procs.map((p) => [p.pid, cpuMsOf(p.pid)]));
  const t0 = performance.now();
  const startUs = Number(process.hrtime.bigint() / 1000n);
  await new Promise((r) => setTimeout(r, Number(a.seconds) * 1000));
  const wallS = (performance.now() - t0) / 1000;
  // The measured window on the profiles' clock (scripts/cpu-profile-top.ts reads it).
  if (a['cpu-prof']) mkdirSync(a['cpu-prof'], { recursive: true });
  if (a['cpu-prof']) writeFileSync(join(a['cpu-prof'], 'window.json'), JSON.stringify({ startUs, endUs: Number(process.hrtime.bigint() / 1000n) }));
  const byRole: Record<string, number[]> = {};
  for (const p of procs) (byRole[p.role] ??= []).push((cpuMsOf(p.pid) - before.get(p.pid)!) / wallS);
  const report = {
    bench: 'idle-cpu',
    workers: Number(a.workers),
    seconds: round(wallS, 1),
    cpu_ms_per_s_by_role: Object.fromEntries(Object.entries(byRole).map(([r, v]) => [r, { processes: v.length, each: v.map((x) => round(x, 2)) }])),
    cpu_ms_per_s_all: round(Object.values(byRole).flat().reduce((x, y) => x + y, 0), 2),
  };
  console.log(JSON.stringify(report));
} finally {
  await cluster.stop();
}
