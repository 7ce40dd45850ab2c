import type { Redis } from 'ioredis';
import { holdSlot } from './leased-slots.ts';

// At most `slots` processes of a worker queue take its jobs; the others stand by and start taking
// them when a lease lapses (its process died or was stopped) or is given back (a graceful stop).
// Why: on a small host two processes consuming one queue split its jobs, so each wakes up for
// fewer of them and both cost more CPU per job (docs/BENCHMARKS.md, "Session 12"); a standby
// twin still takes over within a lease, as a second consumer would.
//
// The slots are leased slots (leased-slots.ts), as a tool's concurrency cap.

export interface ActiveLeaseOptions {
  /** How many processes of the queue take its jobs at once. */
  slots: number;
  /** A holder that stops renewing loses its slot this long after its last renewal. */
  leaseMs: number;
  /** How often the holder renews, and a standby tries to take a slot. */
  renewMs: number;
  /** The holder's lease was taken by another process after it lapsed (it was stalled past it). */
  onLost?: () => void;
}

/**
 * One process's claim to take a queue's jobs. `acquired` resolves once it holds a slot; from then
 * on it renews the lease every renewMs. A holder whose renewal finds its slot taken (it was stalled
 * past the lease and a standby took it) keeps running beside the new holder — as every replica
 * did before standbys — and tries to hold a slot again at each beat. `release` gives the slot back.
 */
export class ActiveLease {
  private readonly redis: Redis;
  private readonly key: string;
  private readonly holder: string;
  private readonly o: ActiveLeaseOptions;
  private timer: NodeJS.Timeout | undefined;
  private held = false;
  private stopped = false;
  private inflight: Promise<void> | undefined;
  private readonly ready: Promise<void>;
  private resolveReady!: () => void;

  constructor(redis: Redis, key: string, holder: string, o: ActiveLeaseOptions) {
    this.redis = redis;
    this.key = key;
    this.holder = holder;
    this.o = o;
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
  }

  /** Resolves when this process may take jobs (it holds a slot). */
  acquired(): Promise<void> {
    if (!this.inflight && !this.stopped) void this.beat();
    return this.ready;
  }

  get holding(): boolean {
    return this.held;
  }

  private beat(): Promise<void> {
    this.inflight = this.hold();
    return this.inflight;
  }

  private async hold(): Promise<void> {
    if (this.stopped) return;
    try {
      const ok = await holdSlot(this.redis, this.key, this.holder, this.o.slots, this.o.leaseMs);
      if (this.held && !ok) this.o.onLost?.();
      this.held = ok;
      // Not once released: a closing worker must not start taking jobs.
      if (ok && !this.stopped) this.resolveReady();
    } catch {
      // Redis unreachable: a holder keeps taking jobs (BullMQ fails alike meanwhile); a standby waits.
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.beat(), this.o.renewMs);
  }

  /** Stop renewing and give the slot back, so a standby takes over at its next beat. */
  async release(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // A beat in flight may take the slot after this: wait for it, then give back what it took.
    await this.inflight;
    if (this.held) await this.redis.zrem(this.key, this.holder).catch(() => undefined);
    this.held = false;
  }
}
