// BullMQ renews a job's lock from the worker's main event loop: on a saturated machine that
// loop runs timers up to 1.7 s late (docs/BENCHMARKS.md, "Killed-worker recovery"), so short locks would
// be lost by live workers and their jobs run twice. The keeper renews them from a worker thread
// instead — a thread keeps running while the main loop is busy, and dies with the process — so
// the lock can be short and a killed worker's jobs move back within about a second.
import { Worker as Thread } from 'node:worker_threads';
import type { Redis, RedisOptions } from 'ioredis';
import type { JobReport } from './lock-keeper-thread.ts';

/** BullMQ's stalled-check settings of a watched queue, as its worker has them. */
export interface StalledCheck {
  maxStalledCount: number;
  stalledIntervalMs: number;
}

export interface LockKeeperOptions {
  lockMs: number;
  renewMs: number;
  /**
   * Redis client name of the thread's connection (CLIENT SETNAME before it reports ready), e.g.
   * `steward-lock-keeper:reasoning:host:pid`: a live keeper means a worker that takes jobs.
   */
  connectionName?: string;
  /** The thread stops renewing when the main loop has not beaten for this long (a hung process). */
  maxLoopStallMs: number;
  /**
   * The thread scans the queue's active list for this worker's tokens when a job may have been
   * locked this long without the main loop reporting it (its beats late, or a fetch unanswered).
   * Default (lockMs − renewMs) / 4: the thread may then lag 3/4 of lockMs − renewMs (ADR 0033).
   */
  scanAfterMs?: number;
  /** How often the main loop reports the jobs it fetched and ended (default scanAfterMs / 2.5). */
  reportMs?: number;
  /** A scan at least this often, reports or not (default 5 s): a fetch path BullMQ adds unreported. */
  backstopScanMs?: number;
  /** The thread failed (it then renews nothing; BullMQ's own renewal still runs). */
  onError?: (err: Error) => void;
  /** A stalled check (of any worker) moved `jobs` back to the watched queue `base`. */
  onRecovered?: (base: string, jobs: number) => void;
}

/** Start of every lock keeper's client name (see LockKeeperOptions.connectionName). */
export const LOCK_KEEPER_CLIENT_PREFIX = 'steward-lock-keeper:';

/** A thread that cannot start (or connect) in this long does not hold the worker back. */
const READY_TIMEOUT_MS = 10_000;

export class LockKeeper {
  private readonly thread: Thread;
  /**
   * Resolves true when the thread's connection is up, false after READY_TIMEOUT_MS without it
   * (the worker then starts BullMQ's own renewal: worker.ts).
   */
  readonly ready: Promise<boolean>;
  private readonly beat: NodeJS.Timeout;
  private closed = false;
  /** Jobs fetched and ended since the last beat, in the order the main loop saw them. */
  private jobs: JobReport[] = [];
  /** When each fetch still unanswered was sent. */
  private readonly fetches = new Map<number, number>();
  private fetchSeq = 0;

  constructor(connection: Redis, o: LockKeeperOptions) {
    const c = connection.options;
    // Only what the thread needs to open its own connection (functions do not cross threads).
    const redis: RedisOptions = {
      ...(c.path ? { path: c.path } : { host: c.host, port: c.port }),
      ...(c.username ? { username: c.username } : {}),
      ...(c.password ? { password: c.password } : {}),
      ...(c.db ? { db: c.db } : {}),
      ...(c.tls ? { tls: c.tls } : {}),
      ...(o.connectionName ? { connectionName: o.connectionName } : {}),
    };
    const defaultScanAfterMs = Math.max(1, (o.lockMs - o.renewMs) / 4);
    const scanAfterMs = o.scanAfterMs ?? defaultScanAfterMs;
    // Scans turned off (tests: scanAfterMs Infinity) still report at the deployed pace.
    const reportMs = o.reportMs ?? Math.max(10, Math.floor(Math.min(scanAfterMs, defaultScanAfterMs) / 2.5));
    this.thread = new Thread(new URL('./lock-keeper-thread.ts', import.meta.url), {
      workerData: { redis, lockMs: o.lockMs, renewMs: o.renewMs, maxLoopStallMs: o.maxLoopStallMs, scanAfterMs, backstopScanMs: o.backstopScanMs ?? 5_000 },
    });
    this.thread.unref();
    this.thread.on('error', (err) => o.onError?.(err));
    this.ready = new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
      this.thread.on('message', (m: unknown) => {
        if (m === 'ready') {
          clearTimeout(t);
          resolve(true);
        } else if (isRecovered(m)) o.onRecovered?.(m.base, m.jobs);
      });
    });
    // The beat carries the reports: one message per reportMs, not one per job (the main loop's CPU).
    this.beat = setInterval(() => this.report(), reportMs);
    this.beat.unref();
  }

  private report(): void {
    let since: number | undefined;
    for (const t of this.fetches.values()) if (since === undefined || t < since) since = t;
    this.thread.postMessage({ type: 'beat', at: Date.now(), ...(since === undefined ? {} : { since }), jobs: this.jobs });
    this.jobs = [];
  }

  /**
   * A fetch (a job may come locked with this worker's token) is about to be sent: call the returned
   * function once its answer has been handled (after `fetched`). Until then the thread counts a
   * job of this worker as possibly unreported since now.
   */
  fetching(): () => void {
    const seq = this.fetchSeq++;
    this.fetches.set(seq, Date.now());
    return () => void this.fetches.delete(seq);
  }

  /** The worker got job `id`, locked with `token`: the thread renews it from the next beat on. */
  fetched(base: string, id: string, token: string): void {
    this.jobs.push([base, '+', id, token]);
  }

  /** The job ended (its lock is gone): the thread stops renewing it (it would also find out itself). */
  ended(base: string, id: string, token: string): void {
    this.jobs.push([base, '-', id, token]);
  }

  /**
   * Keep the locks of every job `workerId` holds in the queue whose BullMQ key is `base`
   * (`{prefix}:{queue}:`), from its fetch to its end; with `stalled`, also run the queue's
   * stalled check from the thread.
   */
  watch(base: string, workerId: string, stalled?: StalledCheck): void {
    if (!this.closed) this.thread.postMessage({ type: 'watch', base, workerId, ...(stalled ? { stalled } : {}) });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.beat);
    this.thread.postMessage({ type: 'stop' });
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => void this.thread.terminate().then(() => resolve()), 1_000);
      this.thread.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

function isRecovered(m: unknown): m is { type: 'recovered'; base: string; jobs: number } {
  const r = m as { type?: unknown; base?: unknown; jobs?: unknown } | null;
  return r?.type === 'recovered' && typeof r.base === 'string' && typeof r.jobs === 'number';
}
