/** The part of a BullMQ worker the budget steers: how many jobs it takes at once. */
export interface JobTaker {
  concurrency: number;
}

/**
 * Calls one tool-worker runs at once: its jobs plus the dependents it runs in place. A job's
 * first released dependent runs in the job's own slot; any further one takes a slot here only
 * while jobs + extra calls stay under the worker's concurrency, and while it runs the worker
 * takes that many jobs fewer, so TOOL_CONCURRENCY still bounds the calls (and the shop's load).
 */
export class CallBudget {
  private readonly limit: number;
  private jobs = 0;
  private extra = 0;
  private worker: JobTaker | undefined;

  constructor(limit: number) {
    this.limit = limit;
  }

  attach(worker: JobTaker): void {
    this.worker = worker;
  }

  jobStarted(): void {
    this.jobs++;
  }

  jobEnded(): void {
    this.jobs--;
  }

  /** A slot for one more call run in place, or false (the call is enqueued instead). */
  take(): boolean {
    if (this.jobs + this.extra >= this.limit) return false;
    this.extra++;
    this.steer();
    return true;
  }

  /**
   * Up to `n` slots for calls a starting job claims to run beside its own (the turn's other
   * roots), counting that job as running: it has not started yet when it asks. Each slot taken
   * goes back with give().
   */
  reserve(n: number): number {
    let k = 0;
    while (k < n && this.jobs + 1 + this.extra < this.limit) {
      this.extra++;
      k++;
    }
    if (k > 0) this.steer();
    return k;
  }

  give(): void {
    this.extra--;
    this.steer();
  }

  private steer(): void {
    if (this.worker) this.worker.concurrency = Math.max(1, this.limit - this.extra);
  }
}
