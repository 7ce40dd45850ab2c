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
import { KillTracker } from './kill-tracker.ts';

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
}

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
   * new one in its place; never the last live process of a role (its twin carries the jobs).
   */
  private async killWorkers(load: ChaosLoad, everyMs = 2_000): Promise<ChaosResult> {
    const c = this.cluster;
    const { scripts, watcher } = await this.prepare('kill-workers', load);
    const tracker = new KillTracker(c.redisUrl, c.prefix);
    const queuesOf: Partial<Record<Role, string[]>> = { 'reasoning-worker': ['reasoning'], 'tool-worker': ['tools'], controller: ['control', 'handoff'] };
    let running = true;
    const restarts: Promise<unknown>[] = [];
    const chaos = (async () => {
      while (running) {
        await new Promise((r) => setTimeout(r, everyMs));
        if (!running) break;
        const candidates = c.procs.filter((p) => queuesOf[p.role] && c.of(p.role).length >= 2);
        const victim: ServiceProc | undefined = candidates[Math.floor(Math.random() * candidates.length)];
        if (!victim) continue;
        const jobs = await tracker.snapshot(queuesOf[victim.role]!);
        const at = Date.now();
        await c.kill(victim);
        tracker.track(victim.role, victim.pid, at, jobs);
        restarts.push(c.restart(victim).catch((e: unknown) => process.stderr.write(`restart of ${victim.role} failed: ${String(e)}\n`)));
      }
    })();
    const run = await drive({ baseUrl: c.ingressUrl, apiKey: c.apiKey, scripts, watcher, answerTimeoutMs: 90_000 });
    running = false;
    await chaos;
    await Promise.all(restarts);
    await tracker.close();
    const times = tracker.recoveryTimes();
    const detected = tracker.detectionTimes();
    return this.finish('kill-workers', run, watcher, times, {
      kills: tracker.kills.map((k) => ({ role: k.role, jobs: k.recoveries.length, unrecovered: k.unrecovered.length })),
      recovery_ms_p50: percentile(times, 50),
      // Kill → job moved back by the stalled check; recovery adds the wait for a free worker slot.
      detection_ms_p50: percentile(detected, 50),
      detection_ms_p99: percentile(detected, 99),
      // The same from BullMQ's 'stalled' events (Redis's clock, no polling lag of this process).
      stalled_event_ms_p50: percentile(tracker.stalledEventTimes, 50),
      stalled_event_ms_p99: percentile(tracker.stalledEventTimes, 99),
      stalled_events: tracker.stalledEventTimes.length,
      recovered_jobs: times.length,
    });
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
