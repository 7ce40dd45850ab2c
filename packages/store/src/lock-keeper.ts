// BullMQ renews a job's lock from the worker's main event loop: on a saturated machine that
// loop runs timers up to 1.7 s late (docs/BENCHMARKS.md, "Killed-worker recovery"), so short locks would
// be lost by live workers and their jobs run twice. The keeper renews them from a worker thread
// instead — a thread keeps running while the main loop is busy, and dies with the process — so
// the lock can be short and a killed worker's jobs move back within about a second.
import { Worker as Thread } from 'node:worker_threads';
import type { Redis, RedisOptions } from 'ioredis';

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
    this.thread = new Thread(new URL('./lock-keeper-thread.ts', import.meta.url), {
      workerData: { redis, lockMs: o.lockMs, renewMs: o.renewMs, maxLoopStallMs: o.maxLoopStallMs },
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
    this.beat = setInterval(() => this.thread.postMessage({ type: 'beat' }), o.renewMs);
    this.beat.unref();
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
