// Observations of the fleet-wide metrics (counters, histograms) summed in the process and written
// to the metrics hash at most once per `flushMs` (one script of one HINCRBYFLOAT per field)
// instead of a few increments per observation. The sums are the same Prometheus histograms
// (buckets, sum, count are plain additions, so the exposition is unchanged). Bound: a process that
// dies, or a write that fails, loses at most the observations of one `flushMs` window of that
// process. Best effort and not deduplicated; a failed write is not retried, since a lost reply
// would count it twice.
import type { Redis } from 'ioredis';
import type { Observation } from './event-metrics.ts';
import { metricsKey, observationFields } from './metrics-store.ts';

/**
 * The batch's increments, atomically. A script (EVALSHA on a createRedis connection), not MULTI:
 * a worker's connection carries dozens of BullMQ scripts that every ioredis MULTI copies
 * (issue 17). KEYS: metrics hash · ARGV: field, increment, …
 */
const INCREMENTS = `
for i = 1, #ARGV, 2 do redis.call('HINCRBYFLOAT', KEYS[1], ARGV[i], ARGV[i + 1]) end
`;

/** How long an observation may stay in the process before it reaches Redis. */
export const OBSERVATION_FLUSH_MS = 1000;

export class ObservationBuffer {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly flushMs: number;

  constructor(redis: Redis, prefix: string, flushMs = OBSERVATION_FLUSH_MS) {
    this.redis = redis;
    this.prefix = prefix;
    this.flushMs = flushMs;
  }

  observe(observations: readonly Observation[]): void {
    for (const [f, v] of observationFields(observations)) this.pending.set(f, (this.pending.get(f) ?? 0) + v);
    // A timer only while something is pending: an idle process does no work for it.
    this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.flushMs).unref();
  }

  /** Writes what is pending now (also called when the process closes). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending = new Map();
    const argv: Array<string | number> = [];
    for (const [f, v] of batch) argv.push(f, v);
    await this.redis.eval(INCREMENTS, 1, metricsKey(this.prefix), ...argv);
  }
}
