// Resilience run: the four chaos scenarios one after another on one cluster of separate
// processes, each printing one JSON line of counts on stdout (progress on stderr).
//
//   node scripts/chaos.ts [--scenario kill-workers|redis-restart|llm-faults|shop-faults]…
//                         [--conversations 100] [--turns-per-conversation 3]
//                         [--job-locks 1500/250/500]   (JOB_LOCK_MS/JOB_LOCK_RENEW_MS/STALLED_INTERVAL_MS of every service)
//                         [--reasoning-concurrency 50] (REASONING_CONCURRENCY: slots a surviving reasoning-worker has free)
//                         [--active-replicas 1]        (ACTIVE_REPLICAS: processes of each queue taking jobs, the others standing by)
//                         [--from-source]              (run the TypeScript sources, not the compiled build)
//                         [--role-down reasoning-worker|tool-worker|controller|none]
//                                                      (kill-workers: the role killed whole once per run; default reasoning-worker)
//                         [--kill-last-live]           (kill-workers: choose victims as before session 5, a started
//                                                       but not yet live replacement counting as the twin)
import { parseArgs } from 'node:util';
import { ChaosRunner, SCENARIO_NAMES, startChaosCluster, type ChaosLoad, type ScenarioName } from '../test/chaos/scenarios.ts';
import { CLUSTER_ROLES, type Role } from '../test/bench/cluster.ts';
import { ensureBuilt } from './lib/build-services.ts';

const { values: a } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    conversations: { type: 'string', default: '100' },
    'turns-per-conversation': { type: 'string', default: '3' },
    'job-locks': { type: 'string' },
    'reasoning-concurrency': { type: 'string' },
    'from-source': { type: 'boolean', default: false },
    'role-down': { type: 'string' },
    'kill-last-live': { type: 'boolean', default: false },
    'active-replicas': { type: 'string' },
  },
});
const chosen = (a.scenario?.length ? a.scenario : SCENARIO_NAMES) as ScenarioName[];
for (const s of chosen) if (!SCENARIO_NAMES.includes(s)) throw new Error(`unknown scenario ${s}; one of ${SCENARIO_NAMES.join(', ')}`);
const roleDown = a['role-down'];
if (roleDown !== undefined && roleDown !== 'none' && !['reasoning-worker', 'tool-worker', 'controller'].includes(roleDown)) throw new Error(`--role-down ${roleDown}: reasoning-worker, tool-worker, controller or none`);
const load: ChaosLoad = {
  conversations: Number(a.conversations),
  turns: Number(a['turns-per-conversation']),
  kill: {
    ...(roleDown !== undefined ? { roleDown: roleDown === 'none' ? null : (roleDown as Role) } : {}),
    lastLive: a['kill-last-live'],
  },
};

const t0 = Date.now();
process.stderr.write('chaos: starting the system (2 reasoning, 2 tool, 2 controller processes) …\n');
const locks = a['job-locks']?.split('/');
const env = {
  ...(locks ? { JOB_LOCK_MS: locks[0] ?? '', JOB_LOCK_RENEW_MS: locks[1] ?? '', STALLED_INTERVAL_MS: locks[2] ?? '' } : {}),
  ...(a['reasoning-concurrency'] ? { REASONING_CONCURRENCY: a['reasoning-concurrency'] } : {}),
  ...(a['active-replicas'] ? { ACTIVE_REPLICAS: a['active-replicas'] } : {}),
};
// The compiled build, as deployed (built first when missing or older than the sources), unless --from-source.
const from = a['from-source'] ? 'source' : 'compiled';
if (from === 'compiled') await ensureBuilt(CLUSTER_ROLES);
const cluster = await startChaosCluster(Object.keys(env).length ? env : undefined, from);
let failed = false;
try {
  const runner = new ChaosRunner(cluster);
  for (const s of chosen) {
    process.stderr.write(`chaos: ${s} …\n`);
    const r = await runner.run(s, load);
    if (r.lost || r.duplicate_answers || r.duplicate_writes) failed = true;
    process.stdout.write(`${JSON.stringify(r)}\n`);
  }
} catch (e) {
  failed = true;
  process.stderr.write(`chaos failed: ${(e as Error).stack ?? String(e)}\nservice logs: ${cluster.logDir}\n`);
} finally {
  await cluster.stop();
}
process.stderr.write(`chaos: done in ${Math.round((Date.now() - t0) / 1000)} s\n`);
process.exit(failed ? 1 : 0);
