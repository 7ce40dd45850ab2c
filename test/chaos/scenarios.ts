// The resilience scenarios, each under load on one shared cluster of separate processes:
// kill -9 of workers, a Redis restart with AOF, a faulty model endpoint, a faulty shop. Each
// returns one line of counts; the chaos tests assert lost = duplicate answers = duplicate
// writes = 0 and the script prints the lines.
import { Cluster, type Role, type ServiceProc } from '../bench/cluster.ts';
import { CompletionWatcher } from '../bench/completions.ts';
import { buildScripts, fetchExport, type ShopExport } from '../bench/conversations.ts';
import { drive, type DriveResult } from '../bench/driver.ts';
import { account, type Accounting } from '../bench/pipeline-report.ts';
import { readWriteLedger } from '../bench/shop-writes.ts';
import { percentile } from '../bench/stats.ts';
import { killReport } from './kill-report.ts';
import { KillTracker, type KillKind } from './kill-tracker.ts';

export type ScenarioName = 'kill-workers' | 'redis-restart' | 'llm-faults' | 'shop-faults';
export const SCENARIO_NAMES: readonly ScenarioName[] = ['kill-workers', 'redis-restart', 'llm-faults', 'shop-faults'];

export interface ChaosResult {
  scenario: ScenarioName;
  accepted: number;
  answered: number;
  lost: number;
  duplicate_answers: number;
  duplicate_writes: number;
  recovery_ms_p99: number | null;
  /** Messages whose POST never got a 202 (only during the Redis outage). */
  not_accepted: number;
  writes_applied: number;
  fallbacks: Record<string, number>;
  loop_incidents: number;
  /** Queries that ended later than their deadline (+1 s of slack). */
  past_deadline: number;
  wall_s: number;
  details?: Record<string, unknown>;
}

export interface ChaosLoad {
  conversations: number;
  turns: number;
  /** kill-workers only (KILL_DEFAULTS otherwise). */
  kill?: Partial<KillOptions>;
}

export interface KillOptions {
  /** The role whose every process is killed at once, once per run (null: never). */
  roleDown: Role | null;
  /** From when in the run (ms after the load starts) the role-down kill may happen. */
  roleDownAfterMs: number;
  /**
   * Victims chosen as before session 5: any role with two processes started, so a replacement
   * whose port is up but whose worker does not take jobs yet counts as the twin (reproduces the
   * "no live worker of the role" case among ordinary kills).
   */
  lastLive: boolean;
  /** The roles whose processes the one-at-a-time kills choose from (default: every worker role). */
  roles?: Role[];
  /** At most this many one-at-a-time kills per run (default: one every 2 s until the load ends). */
  count?: number;
}

export const KILL_DEFAULTS: KillOptions = { roleDown: 'reasoning-worker', roleDownAfterMs: 12_000, lastLive: false };

/** The default load: ~300 queries per scenario (100 conversations of 3 messages). */
export const DEFAULT_LOAD: ChaosLoad = { conversations: 100, turns: 3 };
const DEADLINE_MS = 30_000;

/** One cluster for all scenarios: two of each worker role so a killed process has a twin. */
export function startChaosCluster(env?: Record<string, string>, from?: 'compiled' | 'source'): Promise<Cluster> {
  return Cluster.start({ workers: 2, controllers: 2, ...(env ? { env } : {}), ...(from ? { from } : {}) });
}

export class ChaosRunner {
  private data: ShopExport | undefined;
  private warmed = false;
  private readonly cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  async run(name: ScenarioName, load: ChaosLoad = DEFAULT_LOAD): Promise<ChaosResult> {
    switch (name) {
      case 'kill-workers':
        // A model answering in about a second, as real ones do: turns stay in flight long
        // enough for every kill to catch jobs in the killed process.
        await this.cluster.reconfigure({ llmLatency: '1000±300ms' });
        try {
          return await this.killWorkers(load);
        } finally {
          await this.cluster.reconfigure({ llmLatency: '0' });
        }
      case 'redis-restart':
        return this.redisRestart(load);
      case 'llm-faults':
        await this.cluster.reconfigure({ llmFaults: '429:0.3,500:0.05,timeout:0.02,malformed:0.05' });
        try {
          return await this.plain('llm-faults', load);
        } finally {
          await this.cluster.reconfigure({ llmFaults: '' });
        }
      case 'shop-faults':
        await this.cluster.reconfigure({ shopFaultRate: 0.1, shopSlowRate: 0.05, shopSlowMs: 1_500 });
        try {
          return await this.plain('shop-faults', load);
        } finally {
          await this.cluster.reconfigure({ shopFaultRate: 0, shopSlowRate: 0 });
        }
    }
  }

  /** Fresh orders for every scenario: the shop goes back to its loaded data first. */
  private async prepare(name: string, load: ChaosLoad) {
    const c = this.cluster;
    await fetch(`${c.shopUrl}/v1/reset`, { method: 'POST' });
    this.data ??= await fetchExport(c.shopUrl);
    const watcher = new CompletionWatcher(c.redisUrl, c.prefix);
    await watcher.start();
    if (!this.warmed) {
      // A cold process spends seconds building its tokenizer on the first prompt; that is
      // measured in the kill scenario (restarted workers), not charged to the first scenario.
      const warm = buildScripts(this.data, 10, 1, `warm-${Date.now().toString(36)}`).filter((s) => !s.writeOrder);
      await drive({ baseUrl: c.ingressUrl, apiKey: c.apiKey, scripts: warm, watcher, answerTimeoutMs: 120_000 });
      this.warmed = true;
    }
    const scripts = buildScripts(this.data, load.conversations, load.turns, `${name}-${Date.now().toString(36)}`);
    return { scripts, watcher };
  }

  private async finish(
    name: ScenarioName,
    run: DriveResult,
    watcher: CompletionWatcher,
    recovery: number[] | null,
    details?: Record<string, unknown>,
  ): Promise<ChaosResult> {
    const c = this.cluster;
    const acc: Accounting = await account(run, watcher, { redisUrl: c.redisUrl, prefix: c.prefix, baseUrl: c.ingressUrl, apiKey: c.apiKey });
    await watcher.stop();
    const ledger = readWriteLedger(c.shopDb);
    const fallbacks: Record<string, number> = {};
    for (const t of acc.timings) if (t.completed.outcome !== 'answered') fallbacks[t.completed.reason] = (fallbacks[t.completed.reason] ?? 0) + 1;
    return {
      scenario: name,
      accepted: acc.accepted,
      answered: acc.answered,
      lost: acc.lost,
      duplicate_answers: acc.duplicate_answers,
      duplicate_writes: ledger.duplicates,
      recovery_ms_p99: recovery && recovery.length > 0 ? percentile(recovery, 99) : null,
      not_accepted: acc.not_accepted,
      writes_applied: [...ledger.perOrder.values()].reduce((a, b) => a + b, 0),
      fallbacks,
      loop_incidents: acc.timings.filter((t) => t.completed.reason === 'loop_detected' || t.completed.reason === 'max_turns').length,
      past_deadline: acc.timings.filter((t) => t.e2eMs > DEADLINE_MS + 1_000).length,
      wall_s: Math.round((run.endMs - run.startMs) / 100) / 10,
      ...(details || acc.lostQueryIds.length ? { details: { ...details, ...(acc.lostQueryIds.length ? { lostQueryIds: acc.lostQueryIds.slice(0, 20) } : {}) } } : {}),
    };
  }

  private async plain(name: ScenarioName, load: ChaosLoad): Promise<ChaosResult> {
    const { scripts, watcher } = await this.prepare(name, load);
    const run = await drive({ baseUrl: this.cluster.ingressUrl, apiKey: this.cluster.apiKey, scripts, watcher, answerTimeoutMs: 90_000 });
    return this.finish(name, run, watcher, null);
  }

  /**
   * kill -9 a random reasoning-worker, tool-worker or controller every few seconds and start a
   * new one in its place. The claim measured is "a killed worker's jobs are taken over by the
   * others", so a victim is a live process (its lock keepers connected: it takes jobs) and
   * another live process of its role stays; a replacement whose port is up is not live yet. Once per run (`roleDown`), every
   * process of one role is killed at the same moment instead: those jobs wait for a restart,
   * and are reported apart (`role_down`), not in `recovery_ms_p99`.
   */
  private async killWorkers(load: ChaosLoad, everyMs = 2_000): Promise<ChaosResult> {
    const c = this.cluster;
    const opts = { ...KILL_DEFAULTS, ...load.kill };
    const { scripts, watcher } = await this.prepare('kill-workers', load);
    const tracker = new KillTracker(c.redisUrl, c.prefix);
    const queuesOf: Partial<Record<Role, string[]>> = { 'reasoning-worker': ['reasoning'], 'tool-worker': ['tools'], controller: ['control', 'handoff'] };
    const isLive = (p: ServiceProc, live: Map<number, Set<string>>): boolean => (queuesOf[p.role] ?? []).every((q) => live.get(p.pid)?.has(q));
    const restarting = new Map<Role, number>();
    let running = true;
    const restarts: Promise<unknown>[] = [];
    const t0 = Date.now();
    let roleDownDone = opts.roleDown === null;
    const killAndRestart = async (victims: ServiceProc[], kind: KillKind, live: Map<number, Set<string>>): Promise<void> => {
      const role = victims[0]!.role;
      const queues = queuesOf[role]!;
      const jobs = await Promise.all(victims.map((v) => tracker.snapshot(queues, v.pid)));
      const others = c.of(role).filter((p) => !victims.includes(p)).map((p) => ({ pid: p.pid, live: isLive(p, live) }));
      const before = restarting.get(role) ?? 0;
      const at = Date.now();
      await Promise.all(victims.map((v) => c.kill(v)));
      restarting.set(role, before + victims.length);
      for (const [i, victim] of victims.entries()) {
        const rec = tracker.track({ role, pid: victim.pid, atMs: at, kind, others, restarting: before }, jobs[i]!);
        restarts.push(
          c
            .restart(victim)
            .then(async (p) => {
              rec.upMs = Date.now() - at;
              rec.restartPid = p.pid;
              restarting.set(role, (restarting.get(role) ?? 1) - 1);
              // Until it is live, or killed itself before that.
              const liveMs = await tracker.waitLive(p.pid, queues, at, () => c.procs.includes(p));
              if (liveMs !== undefined) rec.liveMs = liveMs;
            })
            .catch((e: unknown) => process.stderr.write(`restart of ${role} failed: ${String(e)}\n`)),
        );
      }
    };
    const chaos = (async () => {
      while (running) {
        await new Promise((r) => setTimeout(r, everyMs));
        if (!running) break;
        const live = await tracker.liveQueues();
        // With ACTIVE_REPLICAS a standby is live (it takes over) but holds no job: the victim is a holder.
        const holders = await tracker.activeHolders(Object.values(queuesOf).flat());
        const holds = (p: ServiceProc): boolean => (queuesOf[p.role] ?? []).every((q) => !holders.has(q) || holders.get(q)!.has(p.pid));
        if (!roleDownDone && Date.now() - t0 >= opts.roleDownAfterMs) {
          const all = c.of(opts.roleDown!);
          // Only from a whole role, every process live: the figure is "the role went down", not a restart race.
          if (all.length >= 2 && all.every((p) => isLive(p, live)) && !restarting.get(opts.roleDown!)) {
            roleDownDone = true;
            await killAndRestart(all, 'role-down', live);
            continue;
          }
        }
        // Once due, the role-down role is left alone until it is whole and live again.
        const waitingForRoleDown = !roleDownDone && Date.now() - t0 >= opts.roleDownAfterMs ? opts.roleDown : null;
        const candidates = c.procs.filter(
          (p) =>
            queuesOf[p.role] &&
            (!opts.roles || opts.roles.includes(p.role)) &&
            p.role !== waitingForRoleDown &&
            (opts.lastLive
              ? // The rule of the earlier sessions: two processes started (a replacement counts once its port is up).
                c.of(p.role).length >= 2
              : // A live worker (it holds jobs to recover) while another live one of its role stays.
                isLive(p, live) && holds(p) && c.of(p.role).some((o) => o !== p && isLive(o, live))),
        );
        const victim: ServiceProc | undefined = candidates[Math.floor(Math.random() * candidates.length)];
        if (victim && (opts.count === undefined || tracker.kills.filter((k) => k.kind === 'one').length < opts.count)) await killAndRestart([victim], 'one', live);
      }
    })();
    const run = await drive({ baseUrl: c.ingressUrl, apiKey: c.apiKey, scripts, watcher, answerTimeoutMs: 90_000 });
    running = false;
    await chaos;
    await Promise.all(restarts);
    await tracker.close();
    return this.finish('kill-workers', run, watcher, tracker.recoveries((k) => k.kind === 'one').map((r) => r.ms), killReport(tracker, t0));
  }

  /**
   * SHUTDOWN Redis (AOF flushed) once a third of the answers are in, start it again after a
   * short outage; the services must reconnect on their own.
   */
  private async redisRestart(load: ChaosLoad, outageMs = 3_000): Promise<ChaosResult> {
    const c = this.cluster;
    const { scripts, watcher } = await this.prepare('redis-restart', load);
    const total = scripts.reduce((n, s) => n + s.messages.length, 0);
    let answered = 0;
    let restartedAt = 0;
    let stoppedAt = 0;
    let trigger: () => void = () => undefined;
    const third = new Promise<void>((r) => (trigger = r));
    const progress = {
      update: (n: number) => {
        answered = n;
        if (answered >= total / 3) trigger();
      },
      done: () => undefined,
    };
    const outage = (async () => {
      await third;
      stoppedAt = Date.now();
      await c.redis.shutdown();
      await new Promise((r) => setTimeout(r, outageMs));
      await c.redis.startProcess();
      restartedAt = Date.now();
    })();
    const run = await drive({ baseUrl: c.ingressUrl, apiKey: c.apiKey, scripts, watcher, progress, answerTimeoutMs: 120_000, postRetryMs: 60_000 });
    trigger();
    await outage;
    // Recovery: for queries accepted before the stop and answered after the restart, the
    // time from the restart until their answer.
    const recovery = run.records
      .filter((r) => r.accepted && r.postStartMs < stoppedAt && r.latencyMs !== undefined && r.postStartMs + r.latencyMs > restartedAt)
      .map((r) => r.postStartMs + r.latencyMs! - restartedAt);
    return this.finish('redis-restart', run, watcher, recovery, { outage_ms: restartedAt - stoppedAt, resumed_queries: recovery.length });
  }
}
