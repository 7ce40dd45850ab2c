// Job-level recovery after a kill -9: which jobs the killed process held, and when and by whom
// each was picked up again. At the kill, the queue's active jobs are listed with their stall
// counters and the name of the worker that took them (BullMQ's `pb`, `<host>:<pid>`:
// packages/store/src/worker.ts); a job of the killed process is one BullMQ later finds stalled
// (its `stc` grows) and moves to active again (its `processedOn` is set anew, its `pb` names the
// process that took it over).
import { Redis } from 'ioredis';
import { LOCK_KEEPER_CLIENT_PREFIX, createKeys } from '@steward/store';

/** How a kill left its role: a live worker of the role still there, or none by design (role-down). */
export type KillKind = 'one' | 'role-down';

export interface OtherProc {
  pid: number;
  /** Its lock keeper was connected for every queue of the role: it was taking jobs. */
  live: boolean;
}

export interface Recovery {
  jobId: string;
  queue: string;
  /** Kill → a worker took the job up again (its new processedOn). */
  ms: number;
  /** Kill → the tracker saw the stall counter grow (100 ms polling from this process). */
  detectedMs: number;
  /** Kill → BullMQ's 'stalled' event for the job (Redis's clock); filled by close(). */
  stalledEventMs?: number;
  /** pid of the process that took it up again (from `pb`), if named. */
  byPid?: number;
}

export interface KillRecord {
  role: string;
  pid: number;
  atMs: number;
  kind: KillKind;
  /** The role's other started processes at the kill, and whether each was live. */
  others: OtherProc[];
  /** The role's processes still starting at the kill (killed earlier, restart not up yet). */
  restarting: number;
  /** Active jobs of the role's queues at the kill: all, and the victim's (by their `pb`). */
  activeAtKill: { all: number; victim: number };
  recoveries: Recovery[];
  /** Jobs still not picked up again when tracking gave up. */
  unrecovered: string[];
  /**
   * Jobs another process held at the kill that stalled later anyway (their own process was
   * killed after this one), timed from this kill: what the tracker of sessions 3–4, which
   * followed every active job of the queue, counted as this kill's recoveries.
   */
  foreign: Recovery[];
  /** Kill → the replacement's port was up (Cluster.restart resolved). */
  upMs?: number;
  /** Kill → the replacement's lock keepers were connected (it takes jobs). */
  liveMs?: number;
  /** pid of the replacement. */
  restartPid?: number;
}

interface Snapshot {
  queue: string;
  jobId: string;
  stc: number;
  /** Held by another process at the kill (by its `pb`): not this kill's job. */
  foreign?: boolean;
}

/** pid from a BullMQ worker name or lock-keeper client name ending in `:<pid>`. */
export const pidOf = (name: string | null | undefined): number | undefined => {
  const m = /:(\d+)$/.exec(name ?? '');
  return m ? Number(m[1]) : undefined;
};

export class KillTracker {
  readonly kills: KillRecord[] = [];
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly pending: Promise<void>[] = [];

  constructor(redisUrl: string, prefix: string) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
    this.prefix = prefix;
  }

  /**
   * The queues each live process takes jobs from: every worker's lock keeper names its
   * connection `steward-lock-keeper:<queue>:<host>:<pid>` once it is connected, and the worker
   * takes jobs from then on (a process whose port is up may not take jobs yet).
   */
  async liveQueues(): Promise<Map<number, Set<string>>> {
    const list = (await this.redis.client('LIST')) as string;
    const out = new Map<number, Set<string>>();
    for (const line of list.split('\n')) {
      const name = / name=(\S+)/.exec(line)?.[1];
      if (!name?.startsWith(LOCK_KEEPER_CLIENT_PREFIX)) continue;
      const pid = pidOf(name);
      const queue = name.slice(LOCK_KEEPER_CLIENT_PREFIX.length).split(':')[0];
      if (pid === undefined || !queue) continue;
      out.set(pid, (out.get(pid) ?? new Set()).add(queue));
    }
    return out;
  }

  /**
   * With ACTIVE_REPLICAS, the processes holding an active slot of each queue (the others stand by:
   * connected, ready to take over, but holding no job). A queue without holders has none set.
   */
  async activeHolders(queues: readonly string[]): Promise<Map<string, Set<number>>> {
    const keys = createKeys(this.prefix);
    const out = new Map<string, Set<number>>();
    for (const q of queues) {
      const members = await this.redis.zrange(keys.activeWorkers(q), '0', '-1');
      const pids = members.map(pidOf).filter((p): p is number => p !== undefined);
      if (pids.length) out.set(q, new Set(pids));
    }
    return out;
  }

  /**
   * Active jobs of the queues a role consumes, just before process `pid` is killed: its own, and
   * the others' marked `foreign` (followed only to show what the earlier tracker counted).
   */
  async snapshot(queues: readonly string[], pid: number): Promise<Snapshot[]> {
    const out: Snapshot[] = [];
    for (const queue of queues) {
      const ids = await this.redis.lrange(`${this.prefix}:${queue}:active`, 0, -1);
      // One round trip for all: the victim keeps finishing jobs until the kill.
      const pipe = this.redis.pipeline();
      for (const jobId of ids) pipe.hmget(`${this.prefix}:${queue}:${jobId}`, 'stc', 'pb');
      const rows = ((await pipe.exec()) ?? []).map(([, r]) => (r ?? [null, null]) as (string | null)[]);
      for (const [i, jobId] of ids.entries()) {
        const [stc, pb] = rows[i] ?? [null, null];
        // Another process's job is not this kill's to recover (an unnamed worker's counts as its own, as before names).
        const owner = pidOf(pb);
        out.push({ queue, jobId, stc: Number(stc ?? 0), ...(owner !== undefined && owner !== pid ? { foreign: true } : {}) });
      }
    }
    return out;
  }

  /** Follow the snapshot's jobs in the background until each is re-picked or finished. */
  track(rec: Omit<KillRecord, 'recoveries' | 'unrecovered' | 'foreign' | 'activeAtKill'>, jobs: Snapshot[], timeoutMs = 30_000): KillRecord {
    const full: KillRecord = { ...rec, activeAtKill: { all: jobs.length, victim: jobs.filter((j) => !j.foreign).length }, recoveries: [], unrecovered: [], foreign: [] };
    this.kills.push(full);
    this.pending.push(this.follow(full, jobs, timeoutMs));
    return full;
  }

  /** Wait until process `pid` is live for every queue in `queues` (polled) while `alive()`; ms since `fromMs`, or undefined. */
  async waitLive(pid: number, queues: readonly string[], fromMs: number, alive: () => boolean, timeoutMs = 60_000): Promise<number | undefined> {
    while (Date.now() < fromMs + timeoutMs && alive()) {
      const live = await this.liveQueues().catch(() => new Map<number, Set<string>>());
      if (queues.every((q) => live.get(pid)?.has(q))) return Date.now() - fromMs;
      await new Promise((r) => setTimeout(r, 100));
    }
    return undefined;
  }

  private async follow(rec: KillRecord, jobs: Snapshot[], timeoutMs: number): Promise<void> {
    let open = [...jobs];
    const until = rec.atMs + timeoutMs;
    // When the stalled check moved each job back (its stall counter grew): detection, before a
    // worker with a free slot takes it up again (recovery).
    const detected = new Map<string, number>();
    while (open.length > 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      const still: Snapshot[] = [];
      for (const j of open) {
        const [processedOn, finishedOn, stc, pb] = await this.redis
          .hmget(`${this.prefix}:${j.queue}:${j.jobId}`, 'processedOn', 'finishedOn', 'stc', 'pb')
          .catch(() => [null, null, null, null]);
        const stalled = Number(stc ?? 0) > j.stc;
        if (stalled && !detected.has(j.jobId)) detected.set(j.jobId, Date.now() - rec.atMs);
        if (stalled && processedOn !== null && Number(processedOn) > rec.atMs) {
          const ms = Number(processedOn) - rec.atMs;
          const byPid = pidOf(pb);
          (j.foreign ? rec.foreign : rec.recoveries).push({
            jobId: j.jobId,
            queue: j.queue,
            ms,
            detectedMs: Math.min(ms, detected.get(j.jobId) ?? ms),
            ...(byPid !== undefined ? { byPid } : {}),
          });
        } else if (!stalled && finishedOn !== null) {
          // Finished by a live worker: it was not the killed process's job.
        } else if (processedOn === null && finishedOn === null && stc === null) {
          // Gone (removed): nothing to measure.
        } else still.push(j);
      }
      open = still;
    }
    rec.unrecovered = open.filter((j) => !j.foreign).map((j) => `${j.queue}:${j.jobId}`);
  }

  /** Recoveries of the kills `which` selects. */
  recoveries(which: (k: KillRecord) => boolean = () => true): Recovery[] {
    return this.kills.filter(which).flatMap((k) => k.recoveries);
  }

  /**
   * Kill → BullMQ's 'stalled' event for each job (the stream entry's id is Redis's clock when the
   * check moved it back): detection without the tracker's polling, whose own loop lags when the
   * machine is saturated. A job whose event was trimmed away keeps none.
   */
  async close(): Promise<void> {
    await Promise.all(this.pending);
    const since = Math.min(...this.kills.map((k) => k.atMs));
    const byQueue = new Map<string, Map<string, number[]>>();
    for (const q of new Set(this.kills.flatMap((k) => [...k.recoveries, ...k.foreign].map((r) => r.queue)))) {
      const entries = await this.redis.xrange(`${this.prefix}:${q}:events`, String(since), '+').catch(() => []);
      const stalls = new Map<string, number[]>();
      for (const [id, fields] of entries) {
        if (fields[1] !== 'stalled') continue;
        const jobId = fields[fields.indexOf('jobId') + 1] ?? '';
        stalls.set(jobId, [...(stalls.get(jobId) ?? []), Number(id.split('-')[0])]);
      }
      byQueue.set(q, stalls);
    }
    for (const k of this.kills)
      for (const r of [...k.recoveries, ...k.foreign]) {
        const at = byQueue.get(r.queue)?.get(r.jobId)?.find((t) => t >= k.atMs);
        if (at !== undefined) r.stalledEventMs = at - k.atMs;
      }
    this.redis.disconnect();
  }
}
