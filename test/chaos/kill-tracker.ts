// Job-level recovery after a kill -9: which jobs the killed process held, and when another
// worker picked each of them up again. At the kill, the queue's active jobs are listed with
// their stall counters; a job of the killed process is the one BullMQ later finds stalled (its
// `stc` grows) and moves to active again (its `processedOn` is set anew). Jobs of the other
// workers finish without stalling and are not counted.
import { Redis } from 'ioredis';

export interface KillRecord {
  role: string;
  pid: number;
  atMs: number;
  /** Jobs of the killed process and the ms until each was picked up again. */
  recoveries: { jobId: string; queue: string; ms: number; detectedMs: number }[];
  /** Jobs still not picked up again when tracking gave up. */
  unrecovered: string[];
}

interface Snapshot {
  queue: string;
  jobId: string;
  stc: number;
}

export class KillTracker {
  readonly kills: KillRecord[] = [];
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly pending: Promise<void>[] = [];

  constructor(redisUrl: string, prefix: string) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
    this.prefix = prefix;
  }

  /** Active jobs of the queues a role consumes, just before the kill. */
  async snapshot(queues: readonly string[]): Promise<Snapshot[]> {
    const out: Snapshot[] = [];
    for (const queue of queues) {
      const ids = await this.redis.lrange(`${this.prefix}:${queue}:active`, 0, -1);
      for (const jobId of ids) {
        const stc = Number((await this.redis.hget(`${this.prefix}:${queue}:${jobId}`, 'stc')) ?? 0);
        out.push({ queue, jobId, stc });
      }
    }
    return out;
  }

  /** Follow the snapshot's jobs in the background until each is re-picked or finished. */
  track(role: string, pid: number, atMs: number, jobs: Snapshot[], timeoutMs = 30_000): void {
    const rec: KillRecord = { role, pid, atMs, recoveries: [], unrecovered: [] };
    this.kills.push(rec);
    this.pending.push(this.follow(rec, jobs, timeoutMs));
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
        const [processedOn, finishedOn, stc] = await this.redis
          .hmget(`${this.prefix}:${j.queue}:${j.jobId}`, 'processedOn', 'finishedOn', 'stc')
          .catch(() => [null, null, null]);
        const stalled = Number(stc ?? 0) > j.stc;
        if (stalled && !detected.has(j.jobId)) detected.set(j.jobId, Date.now() - rec.atMs);
        if (stalled && processedOn !== null && Number(processedOn) > rec.atMs) {
          const ms = Number(processedOn) - rec.atMs;
          rec.recoveries.push({ jobId: j.jobId, queue: j.queue, ms, detectedMs: Math.min(ms, detected.get(j.jobId) ?? ms) });
        } else if (!stalled && finishedOn !== null) {
          // Finished by a live worker: it was not the killed process's job.
        } else if (processedOn === null && finishedOn === null && stc === null) {
          // Gone (removed): nothing to measure.
        } else still.push(j);
      }
      open = still;
    }
    rec.unrecovered = open.map((j) => `${j.queue}:${j.jobId}`);
  }

  /** Kill → stalled check moved the job back, ms (to the tracker's 100 ms polling). */
  detectionTimes(): number[] {
    return this.kills.flatMap((k) => k.recoveries.map((r) => r.detectedMs));
  }

  /** Recovery times of every killed job, ms. */
  recoveryTimes(): number[] {
    return this.kills.flatMap((k) => k.recoveries.map((r) => r.ms));
  }

  /**
   * Kill → BullMQ's 'stalled' event for the job (the stream entry's id is Redis's clock when the
   * check moved it back): detection without the tracker's polling, whose own loop lags when the
   * machine is saturated. Filled by close(); a job whose event was trimmed away is left out.
   */
  stalledEventTimes: number[] = [];

  async close(): Promise<void> {
    await Promise.all(this.pending);
    const since = Math.min(...this.kills.map((k) => k.atMs));
    const byQueue = new Map<string, Map<string, number[]>>();
    for (const q of new Set(this.kills.flatMap((k) => k.recoveries.map((r) => r.queue)))) {
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
      for (const r of k.recoveries) {
        const at = byQueue.get(r.queue)?.get(r.jobId)?.find((t) => t >= k.atMs);
        if (at !== undefined) this.stalledEventTimes.push(at - k.atMs);
      }
    this.redis.disconnect();
  }
}
