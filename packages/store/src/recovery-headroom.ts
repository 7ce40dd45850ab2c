// Jobs moved back from a dead worker go to the head of the wait list (BullMQ's stalled check
// RPUSHes them; workers take from that end), so they are the next jobs any worker takes. But a
// surviving worker whose slots are all busy takes them only as its own jobs end: at 120
// conversations a killed reasoning-worker's 50 jobs waited up to 2.4 s for slots after they were
// moved back (docs/BENCHMARKS.md, "Killed-worker recovery"). So, when told of a move, a worker of
// that queue takes that many jobs at once beside its own, up to extraSlotsRatio × its
// concurrency in flight (the slots are I/O-bound: a reasoning job mostly waits for the model).
//
// At once means in one turn of the event loop: BullMQ's own loop asks Redis for one job at a
// time and waits for each answer before asking again, and on a saturated machine every answer
// waits for the process to get the CPU back — 30–50 ms each, so a killed worker's 50 jobs came
// in over 1–2.6 s after the move (docs/BENCHMARKS.md, "Killed-worker recovery, session 5").
// Here all the fetches go out together (BullMQ's public getNextJob, non-blocking) and each job
// found runs through BullMQ's own processJob (locks, completion, retries, events as usual),
// without fetching a next one when it ends: the main loop keeps its own count of slots.

import type { Job } from 'bullmq';

export interface RecoveryHeadroomSettings {
  /** Moved-back jobs a worker may run beside its own, at most, as a share of its concurrency (0 turns this off). */
  extraSlotsRatio: number;
  /** Ignored since the jobs are taken at once, not slots held open for a while (ADR 0019); older callers may still pass it. */
  windowMs?: number;
}

/** What the headroom needs of a BullMQ worker: its public fetch and process calls. */
export interface RecoveringWorker {
  readonly id: string;
  readonly closing: Promise<void> | undefined;
  isRunning(): boolean;
  isPaused(): boolean;
  getNextJob(token: string, o: { block: boolean }): Promise<Job | undefined>;
  processJob(job: Job, token: string, fetchNextCallback?: () => boolean): Promise<unknown>;
}

export class RecoveryHeadroom {
  private inFlight = 0;
  private seq = 0;
  private stopped = false;
  private readonly running = new Set<Promise<void>>();
  private readonly maxExtra: number;
  private readonly worker: RecoveringWorker;
  private readonly onError: (err: Error) => void;

  constructor(worker: RecoveringWorker, concurrency: number, o: RecoveryHeadroomSettings, onError: (err: Error) => void = () => undefined) {
    this.worker = worker;
    this.maxExtra = Math.floor(concurrency * o.extraSlotsRatio);
    this.onError = onError;
  }

  /** Jobs taken beside the main loop and not finished yet. */
  get extra(): number {
    return this.inFlight;
  }

  /** `jobs` were just moved back to this worker's queue: take that many now (up to the cap in flight). */
  open(jobs: number): void {
    // Only a running loop: a worker not yet started (its lock keeper not ready: worker.ts), paused
    // or closing takes nothing.
    if (this.stopped || this.worker.closing || !this.worker.isRunning() || this.worker.isPaused()) return;
    const take = Math.min(jobs, this.maxExtra - this.inFlight);
    for (let i = 0; i < take; i++) {
      // The worker's id first: its lock keeper renews every job whose token starts with it.
      const token = `${this.worker.id}:recovered-${this.seq++}`;
      this.inFlight++;
      const p = this.worker
        .getNextJob(token, { block: false })
        .then((job) => (job ? this.worker.processJob(job, token, () => false) : undefined))
        .then(
          () => undefined,
          (err: unknown) => this.onError(err as Error),
        )
        .finally(() => {
          this.inFlight--;
          this.running.delete(p);
        });
      this.running.add(p);
    }
  }

  /** Resolves when the jobs taken so far have ended (the worker's close and pause wait for it: worker.ts). */
  async drained(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /** No more jobs taken; resolves when those taken have ended. */
  async close(): Promise<void> {
    this.stopped = true;
    await this.drained();
  }
}
