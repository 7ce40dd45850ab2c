// Queue wait and processing time of finished jobs, summed in the process and written to the
// fleet-wide metrics hash at most once per `flushMs` (one script of one HINCRBYFLOAT per field)
// instead of six increments per job. The sums are the same Prometheus histograms (buckets, sum,
// count are plain additions, so the exposition is unchanged). Bound: a process that dies, or a
// write that fails, loses at most the observations of one `flushMs` window of that process. These
// timings were best effort before too and are not deduplicated (a job that runs twice did wait
// and work twice); a failed write is not retried, since a lost reply would count it twice.
import type { Redis } from 'ioredis';
import { metricsKey, observationFields } from './metrics-store.ts';

/**
 * The batch's increments, atomically. A script (EVALSHA on a createRedis connection), not MULTI:
 * this is the worker's connection, on which BullMQ defines dozens of scripts that every ioredis
 * MULTI copies (issue 17). KEYS: metrics hash · ARGV: field, increment, …
 */
const INCREMENTS = `
for i = 1, #ARGV, 2 do redis.call('HINCRBYFLOAT', KEYS[1], ARGV[i], ARGV[i + 1]) end
`;

/** How long a job's timing may stay in the process before it reaches Redis. */
export const JOB_TIMING_FLUSH_MS = 1000;

export class JobTimingBuffer {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly flushMs: number;

  constructor(redis: Redis, prefix: string, flushMs = JOB_TIMING_FLUSH_MS) {
    this.redis = redis;
    this.prefix = prefix;
    this.flushMs = flushMs;
  }

  add(queue: string, waitMs: number, processingMs: number): void {
    this.merge(
      observationFields([
        { name: 'steward_job_wait_seconds', labels: { queue }, value: Math.max(0, waitMs) / 1000 },
        { name: 'steward_job_processing_seconds', labels: { queue }, value: Math.max(0, processingMs) / 1000 },
      ]),
    );
    // A timer only while something is pending: an idle process does no work for it.
    this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.flushMs).unref();
  }

  /** Writes what is pending now (also called when the worker closes). */
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

  private merge(fields: ReadonlyArray<readonly [string, number]>): void {
    for (const [f, v] of fields) this.pending.set(f, (this.pending.get(f) ?? 0) + v);
  }
}
