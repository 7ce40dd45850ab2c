import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job, type ConnectionOptions, type WorkerOptions } from 'bullmq';
import { DEFAULTS, isStewardError, parseJob, type JobLockSettings, type JobPayload, type QueueName } from '@steward/core';
import { JobTimingBuffer, redactsLogs, runWithKnownNames, runWithLogContext } from '@steward/telemetry';
import type { Redis } from 'ioredis';
import { readJobPrelude, runWithPreloadedQuery } from './job-prelude.ts';
import { createKeys } from './keys.ts';
import { LOCK_KEEPER_CLIENT_PREFIX, LockKeeper, type LockKeeperOptions } from './lock-keeper.ts';
import { RecoveryHeadroom, type RecoveryHeadroomSettings } from './recovery-headroom.ts';
import { ActiveLease } from './active-lease.ts';

export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child?(bindings: object): Log;
}

export interface StartWorkerOptions<Q extends QueueName = QueueName, P = never> {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  log: Log;
  /** Lock duration, renewal and stalled check (JOB_LOCK_MS, JOB_LOCK_RENEW_MS, STALLED_INTERVAL_MS). */
  jobLocks?: JobLockSettings;
  /** Extra slots for jobs moved back from a dead worker (default DEFAULTS.recoveredJobHeadroom). */
  recoveredJobHeadroom?: RecoveryHeadroomSettings;
  /**
   * The handler's first step loads the job's query (the controller's): read it in the job's
   * prelude, in the trip that reads the conversation's names, instead of one trip after it.
   */
  preloadQuery?: boolean;
  /**
   * The handler's first reads, sent right after the prelude's script on the same connection, so
   * both come back in one round trip instead of the reads going out one trip after it; the
   * handler gets them as `prefetched`. Reads only: it runs before the job's log context exists.
   * A failed read fails the job, as it would in the handler.
   */
  prefetch?: (data: JobPayload<Q>) => Promise<P>;
  /**
   * The handler reads the names its conversation's tools learned itself, in its first script, and
   * adds them with rememberNames (the reasoning-worker's loadTurn): no prelude trip before it.
   * Its lines before that read are redacted by pattern only (it logs none there).
   */
  namesInHandler?: boolean;
  worker?: Partial<WorkerOptions>;
  /** The lock keeper's scan thresholds (tests; the defaults follow jobLocks: lock-keeper.ts). */
  lockKeeper?: Pick<LockKeeperOptions, 'scanAfterMs' | 'reportMs' | 'backstopScanMs'>;
}

/**
 * BullMQ's worker, whose main-loop lock renewal can start late (when the lock keeper's thread
 * fails), and whose graceful close also waits for the moved-back jobs it took beside its main
 * loop (recovery-headroom.ts): BullMQ's close waits only for its loop's own.
 */
class StewardWorker extends Worker {
  headroom: RecoveryHeadroom | undefined;
  /** This process's active slot when the queue has ACTIVE_REPLICAS (active-lease.ts). */
  lease: ActiveLease | undefined;
  /** Told of every job this worker fetches, at once, so its thread renews exactly those (ADR 0033). */
  keeper: { lock: LockKeeper; base: string } | undefined;

  // Every fetch of BullMQ's worker goes through one of these three: its loop's and getNextJob's
  // moveToActive, and the next job a finishing one's moveToCompleted/moveToFailed takes in the same
  // script. While one is unanswered the keeper's thread counts a job as possibly unreported.
  protected override async moveToActive(token: string, name?: string): Promise<Job> {
    const done = this.keeper?.lock.fetching();
    try {
      return await super.moveToActive(token, name);
    } finally {
      done?.();
    }
  }

  protected override async handleCompleted(...a: Parameters<Worker['handleCompleted']>): Promise<Job> {
    const done = this.keeper?.lock.fetching();
    try {
      return await super.handleCompleted(...a);
    } finally {
      done?.();
    }
  }

  protected override async handleFailed(...a: Parameters<Worker['handleFailed']>): Promise<Job> {
    const done = this.keeper?.lock.fetching();
    try {
      return await super.handleFailed(...a);
    } finally {
      done?.();
    }
  }

  // Every fetched job passes here (the three paths above), before BullMQ does anything else with it.
  protected override async nextJobFromJobData(jobData?: Parameters<Worker['nextJobFromJobData']>[0], jobId?: string, token?: string): Promise<Job> {
    if (jobData && jobId && token && this.keeper) this.keeper.lock.fetched(this.keeper.base, jobId, token);
    return super.nextJobFromJobData(jobData, jobId, token);
  }

  renewLocksFromMainLoop(): void {
    if (!this.opts.skipLockRenewal) return;
    this.opts.skipLockRenewal = false;
    // Jobs already running are tracked whatever the option (BullMQ tracks every job it runs).
    if (this.isRunning()) this.lockManager.start();
  }

  override async close(force = false): Promise<void> {
    // A standby takes the queue's new jobs at its next beat while this one ends those it runs.
    await this.lease?.release();
    // Takes no more, and lets those taken end (their completion needs the connection close() ends).
    if (!force) await this.headroom?.close();
    return super.close(force);
  }
}

export type Processor<Q extends QueueName, P = never> = (data: JobPayload<Q>, job: Job, token: string | undefined, prefetched?: P) => Promise<unknown>;

/**
 * A BullMQ worker that validates every payload against its schema first: a malformed job
 * fails at once, unretried, with a reason naming the bad field. Errors that say they are not
 * retryable skip BullMQ's retries too.
 */
export function startWorker<Q extends QueueName, P = never>(queue: Q, processor: Processor<Q, P>, o: StartWorkerOptions<Q, P>): Worker {
  const locks = o.jobLocks ?? DEFAULTS.jobLocks;
  // Which process a job ran in: BullMQ writes the worker's name into the job at each start (its
  // `pb` field) and onto its connections, so a killed process's jobs can be followed to the
  // process that took them over (test/chaos/kill-tracker.ts; CLIENT LIST in an incident).
  const name = o.worker?.name ?? `${hostname()}:${process.pid}`;
  // Locks renewed off the main loop (see lock-keeper.ts); a plain options object (no live
  // connection to copy) leaves the renewal to BullMQ alone.
  const keeper =
    typeof (o.connection as Redis).duplicate === 'function'
      ? new LockKeeper(o.connection as Redis, {
          lockMs: locks.lockMs,
          renewMs: locks.renewMs,
          maxLoopStallMs: DEFAULTS.jobLockMaxLoopStallMs,
          ...o.lockKeeper,
          // Connected = this worker takes jobs (it starts once its keeper is up): CLIENT LIST tells
          // which workers of a queue are live, not only started (the chaos driver's kill rule).
          connectionName: `${LOCK_KEEPER_CLIENT_PREFIX}${queue}:${name}`,
          // Not fatal: locks and the stalled check fall back to BullMQ's main loop (slower under load).
          onError: (err) => {
            o.log.warn({ queue, err: err.message }, 'lock keeper thread failed; BullMQ renews the locks and checks for stalled jobs alone');
            w.renewLocksFromMainLoop();
            mainLoopStalledCheck();
          },
          // Jobs moved back from a dead worker are taken at once, beside this worker's own (recovery-headroom.ts).
          onRecovered: (_base, jobs) => {
            o.log.info({ queue, jobs }, 'jobs moved back from a dead worker; taking them beside our own');
            headroom?.open(jobs);
          },
        })
      : undefined;
  const base = `${o.prefix}:${queue}:`;
  // The names the conversation's tools learned in earlier jobs, redacted from this job's lines
  // too (only when the log redacts), and the job's query when the handler starts by loading it:
  // read once per job, in one round trip (job-prelude.ts), when a live connection is at hand.
  const want = { names: redactsLogs(o.log) && o.namesInHandler !== true, query: o.preloadQuery === true };
  const prelude =
    (want.names || want.query) && typeof (o.connection as Redis).eval === 'function'
      ? { redis: o.connection as Redis, keys: createKeys(o.prefix) }
      : undefined;
  const w = new StewardWorker(
    queue,
    async (job, token) => {
      let data: JobPayload<Q>;
      try {
        data = parseJob(queue, job.data);
      } catch (e) {
        o.log.error({ jobId: job.id, queue, err: (e as Error).message }, 'malformed job');
        throw new UnrecoverableError((e as Error).message);
      }
      // Every line logged while this job runs carries its ids (see @steward/telemetry log-context);
      // the query store adds the trace id when the job loads its query.
      const ids = data as { queryId?: unknown; turn?: unknown; conversationId?: unknown };
      const queryId = typeof ids.queryId === 'string' ? ids.queryId : undefined;
      const reading = prelude ? readJobPrelude(prelude.redis, prelude.keys, queryId, ids.conversationId, want) : undefined;
      const early = o.prefetch?.(data);
      // Awaited in handle (a failure fails the job there); until then it must not count as unhandled.
      early?.catch(() => undefined);
      const known = await reading;
      const handle = async (): Promise<unknown> => {
        try {
          return await processor(data, job, token, early ? await early : undefined);
        } catch (e) {
          if (isStewardError(e) && !e.retryable) throw new UnrecoverableError(`${e.code}: ${e.message}`);
          throw e;
        }
      };
      return runWithLogContext(
        {
          queue,
          jobId: job.id,
          queryId,
          conversationId: known?.conversationId,
          turn: typeof ids.turn === 'number' ? ids.turn : undefined,
        },
        // Names a tool of this job learns (rememberNames) are redacted from its later lines.
        () =>
          runWithKnownNames(known?.names ?? [], () =>
            prelude && queryId && known?.query ? runWithPreloadedQuery(prelude.keys.query(queryId), known.query, handle) : handle(),
          ),
      );
    },
    {
      connection: o.connection,
      prefix: o.prefix,
      concurrency: o.concurrency,
      lockDuration: locks.lockMs,
      lockRenewTime: locks.renewMs,
      stalledInterval: locks.stalledIntervalMs,
      maxStalledCount: 5,
      name,
      ...o.worker,
      // Started below once the lock keeper can renew (a job taken before would rely on the main
      // loop); the stalled check runs from its thread (on time, and it tells every worker of the
      // queue what it moved back: recovery-headroom.ts), BullMQ's own only if the thread fails.
      // So does the renewal: BullMQ's own renewed the same locks again from the main loop every
      // renewMs / 2 (a GET, SET and SREM per running job and an EVALSHA per tick, issue 17); it
      // starts only if the thread fails (renewLocksFromMainLoop).
      ...(keeper ? { autorun: false, skipStalledCheck: true, skipLockRenewal: true } : {}),
    },
  );
  const headroom = keeper
    ? new RecoveryHeadroom(w, o.concurrency, o.recoveredJobHeadroom ?? DEFAULTS.recoveredJobHeadroom, (err) =>
        o.log.error({ queue, err: err.message }, 'taking a moved-back job failed; it stays in the queue for the main loop'),
      )
    : undefined;
  w.headroom = headroom;
  // ACTIVE_REPLICAS: only that many processes of the queue take its jobs; this one may stand by
  // until a slot is free (active-lease.ts). Its lock keeper watches the queue meanwhile, so the
  // jobs of a holder that dies are moved back to the wait list (its lock and its slot lapse alike),
  // and this one takes them with its slot.
  const slots = locks.activeReplicas ?? 0;
  const lease =
    keeper && slots > 0
      ? new ActiveLease(o.connection as Redis, createKeys(o.prefix).activeWorkers(queue), name, {
          slots,
          leaseMs: locks.lockMs,
          renewMs: locks.renewMs,
          onLost: () => o.log.warn({ queue }, 'active slot taken by a standby after this process stalled past its lease; taking jobs beside it'),
        })
      : undefined;
  w.lease = lease;
  if (keeper) {
    w.keeper = { lock: keeper, base };
    // Its lock is gone: the thread stops renewing it. Emitted before the next job the same call
    // fetched is reported (nextJobFromJobData), so a job taken again under the same token stays.
    const ended = (job: Job | undefined): void => {
      if (job?.id && job.token) keeper.ended(base, job.id, job.token);
    };
    w.on('completed', ended);
    w.on('failed', ended);
  }
  function mainLoopStalledCheck(): void {
    if (!w.opts.skipStalledCheck) return;
    w.opts.skipStalledCheck = false;
    w.startStalledCheckTimer().catch((err: unknown) => o.log.error({ queue, err: (err as Error).message }, 'stalled check failed to start'));
  }
  if (keeper) {
    // The queue's stalled check runs from the thread (see lock-keeper-thread.ts), with the worker's own settings.
    keeper.watch(base, w.id, { maxStalledCount: w.opts.maxStalledCount ?? 1, stalledIntervalMs: w.opts.stalledInterval ?? locks.stalledIntervalMs });
    void keeper.ready.then(async (up) => {
      // A thread not connected in time renews nothing yet: BullMQ's renewal keeps the jobs meanwhile.
      if (!up) w.renewLocksFromMainLoop();
      if (lease) {
        const standing = setTimeout(() => o.log.info({ queue, slots }, 'standing by: every active slot of the queue is held'), locks.renewMs);
        await lease.acquired();
        clearTimeout(standing);
      }
      if (!w.closing) w.run().catch((err: unknown) => o.log.error({ queue, err: (err as Error).message }, 'worker stopped'));
    });
  }
  // Queue wait and processing time per job, into the fleet-wide metrics (best effort), summed
  // in the process and written once per JOB_TIMING_FLUSH_MS (see job-timing-buffer.ts).
  if (typeof (o.connection as Redis).hincrbyfloat === 'function') {
    const timings = new JobTimingBuffer(o.connection as Redis, o.prefix);
    w.on('completed', (job) => {
      if (!job.processedOn || !job.finishedOn) return;
      const wait = job.processedOn - job.timestamp - (job.opts.delay ?? 0);
      timings.add(queue, wait, job.finishedOn - job.processedOn);
    });
    // Last jobs' timings before the service closes its connection (which follows worker.close()).
    w.on('closed', () => void timings.flush().catch(() => undefined));
  }
  w.on('failed', (job, err) => {
    o.log.warn({ queue, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed');
  });
  w.on('error', (err) => o.log.error({ queue, err: err.message }, 'worker error'));
  if (keeper)
    w.on('closed', () => {
      void headroom?.close();
      void keeper.close();
    });
  return w;
}
