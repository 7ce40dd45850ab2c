// CPU each service process spends while no message arrives (timers, lock renewals, polling,
// metric flushes): the fixed cost a replica adds whatever the load.
//
//   node scripts/idle-cpu.ts [--workers 2] [--seconds 30] [--cpu-prof DIR]  (profiles: run from the sources)
// Prints per role: CPU ms per second of wall time (mean over its processes); the JSON report last.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { Cluster, CLUSTER_ROLES } from '../test/bench/cluster.ts';
import { ensureBuilt } from './lib/build-services.ts';
import { cpuMsOf } from '../test/bench/proc-cpu.ts';
import { round } from '../test/bench/stats.ts';
import { profileClockUs, writeProfileWindow } from '../test/bench/profile-window.ts';

const { values: a } = parseArgs({ options: { workers: { type: 'string', default: '2' }, seconds: { type: 'string', default: '30' }, 'cpu-prof': { type: 'string' } } });
const profDir = a['cpu-prof'] ? resolve(a['cpu-prof']) : undefined;
// Profiles name source files only when the services run from their sources.
if (!profDir) await ensureBuilt(CLUSTER_ROLES);
const cluster = await Cluster.start({ workers: Number(a.workers), ...(profDir ? { from: 'source', cpuProfDir: profDir } : { from: 'compiled' }) });
try {
  // Start-up work (connections, script loads, the tokenizer warm-up; from the sources, their transpiling) is not idle cost.
  await new Promise((r) => setTimeout(r, profDir ? 15_000 : 5_000));
  const redisPid = await cluster.redisPid();
  const procs = [...cluster.procs.map((p) => ({ pid: p.pid, role: p.role })), { pid: redisPid, role: 'redis' }];
  const before = new Map(procs.map((p) => [p.pid, cpuMsOf(p.pid)]));
  const startUs = profileClockUs();
  await new Promise((r) => setTimeout(r, Number(a.seconds) * 1000));
  const wallS = (profileClockUs() - startUs) / 1e6;
  if (profDir) writeProfileWindow(profDir, startUs);
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
