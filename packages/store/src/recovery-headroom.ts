// Jobs moved back from a dead worker go to the head of the wait list (BullMQ's stalled check
// RPUSHes them; workers take from that end), so they are the next jobs any worker takes. But a
// surviving worker whose slots are all busy takes them only as its own jobs end: at 120
// conversations a killed reasoning-worker's 50 jobs waited up to 2.4 s for slots after they were
// moved back (docs/BENCHMARKS.md, "Killed-worker recovery"). For a short window after a move, a
// worker of that queue may hold that many jobs more than its concurrency, so the moved-back jobs
// start at once (the slots are I/O-bound: a reasoning job mostly waits for the model); the window closes on its own and the worker returns to its concurrency as its
// jobs end (BullMQ never stops a running job for a lower concurrency).

export interface RecoveryHeadroomSettings {
  /** Extra slots at most, as a share of the worker's concurrency (0 turns the headroom off). */
  extraSlotsRatio: number;
  /** How long after the last move the extra slots stay open. */
  windowMs: number;
}

/** What the headroom needs of a BullMQ worker: its concurrency, which it can change while running. */
export interface ResizableWorker {
  concurrency: number;
  readonly closing: Promise<void> | undefined;
  isRunning(): boolean;
  pause(doNotWaitActive?: boolean): Promise<void>;
  resume(): Promise<void>;
}

export class RecoveryHeadroom {
  private extra = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxExtra: number;
  private readonly worker: ResizableWorker;
  private readonly concurrency: number;
  private readonly windowMs: number;

  constructor(worker: ResizableWorker, concurrency: number, o: RecoveryHeadroomSettings) {
    this.worker = worker;
    this.concurrency = concurrency;
    this.windowMs = o.windowMs;
    this.maxExtra = Math.floor(concurrency * o.extraSlotsRatio);
  }

  /** `jobs` were just moved back to this worker's queue: open that many slots more (up to the cap). */
  open(jobs: number): void {
    if (this.maxExtra < 1 || jobs < 1) return;
    this.extra = Math.min(this.maxExtra, this.extra + jobs);
    this.worker.concurrency = this.concurrency + this.extra;
    // A full worker's loop waits for one of its jobs to end before it fetches again, and by then
    // its freed slots have taken the first moved-back jobs (each taking as long as a model call):
    // the rest would wait for those. BullMQ's pause (not waiting for active jobs) and resume wake
    // the loop, which then fetches up to the raised concurrency at once.
    // Only a running loop: resume() would start one that the worker starts itself once its lock
    // keeper is ready (worker.ts).
    if (!this.worker.closing && this.worker.isRunning()) void this.worker.pause(true).then(() => this.worker.resume());
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.close(), this.windowMs);
    this.timer.unref();
  }

  /** Back to the worker's own concurrency (running jobs finish; no new ones until below it). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.extra === 0) return;
    this.extra = 0;
    this.worker.concurrency = this.concurrency;
  }
}
