/**
 * Bucket sets Redis refused, remembered until the wait it gave is over, so a client that
 * retries past its limit (a load generator, a platform's retries, an abusive caller) is refused
 * from memory instead of by one more script call per retry.
 *
 * Why this never refuses what Redis would admit: a refusal means one bucket of the set held
 * less than one token at the script's moment, and `waitMs` is how long its refill takes to
 * reach one. Until then the bucket can only lose tokens (other nodes' admissions), never gain
 * faster, so Redis would refuse the same set too. The wait is counted from before the request
 * was sent (on this process's monotonic clock, so neither clock skew nor a wall-clock jump
 * matters), which is no later than the script ran; the 1 ms off the end covers the ceil of the
 * script's answer.
 */
export class RefusalMemo {
  private readonly until = new Map<string, number>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  now(): number {
    return performance.now();
  }

  /** Ms the set stays refused (0 = ask Redis). */
  refusedFor(id: string): number {
    const t = this.until.get(id);
    if (t === undefined) return 0;
    const left = t - this.now();
    if (left > 0) return left;
    this.until.delete(id);
    return 0;
  }

  /** Redis refused `id` for `waitMs`, asked at `askedAt` (a value of now()). */
  refuse(id: string, askedAt: number, waitMs: number): void {
    const t = askedAt + waitMs - 1;
    if (t <= this.now()) return;
    if (this.until.size >= this.max) this.sweep();
    // Still full of live refusals: the rest are asked of Redis, as without the memo.
    if (this.until.size >= this.max) return;
    this.until.set(id, t);
  }

  get size(): number {
    return this.until.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, t] of this.until) if (t <= now) this.until.delete(id);
  }
}
