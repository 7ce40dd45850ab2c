// Retention runs as a BullMQ repeatable job (a job scheduler): one run per period across all
// replicas, whichever replica's worker picks it up; a replica that dies mid-run leaves the job
// to be retried by another. Its own queue, because it belongs to the archive alone.
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import { applyRetention, type Db, type RetentionPolicy } from '@steward/archive';
import type { Logger } from '@steward/telemetry';

export const RETENTION_QUEUE = 'archive-retention';
const SCHEDULER_ID = 'archive-retention';

/** The job carries nothing: the policy is the replica's configuration. */
export const RetentionJob = z.object({}).passthrough();
export type RetentionJob = z.infer<typeof RetentionJob>;

export interface RetentionRunner {
  /** Rows removed per table since start (this replica). */
  removed(): Record<string, number>;
  close(): Promise<void>;
}

export async function startRetention(o: {
  connection: ConnectionOptions;
  prefix: string;
  db: Db;
  policy: RetentionPolicy;
  everyMs: number;
  log: Logger;
  onRun?: (removed: Record<string, number>) => void;
}): Promise<RetentionRunner> {
  const totals: Record<string, number> = {};
  const queue = new Queue(RETENTION_QUEUE, { connection: o.connection, prefix: o.prefix });
  if (o.everyMs > 0 && Object.keys(o.policy).length) {
    await queue.upsertJobScheduler(SCHEDULER_ID, { every: o.everyMs }, { name: 'retention', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } });
  }
  const worker = new Worker(
    RETENTION_QUEUE,
    async (job) => {
      RetentionJob.parse(job.data);
      const removed = await applyRetention(o.db, o.policy);
      for (const [t, n] of Object.entries(removed)) totals[t] = (totals[t] ?? 0) + n;
      o.log.info({ removed }, 'archive retention run');
      o.onRun?.(removed);
      return removed;
    },
    { connection: o.connection, prefix: o.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => o.log.warn({ jobId: job?.id, err: err.message }, 'archive retention run failed; retried at the next period'));
  return {
    removed: () => ({ ...totals }),
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}

/** Run retention once now (the CLI's `steward archive retention`, and tests). */
export async function runRetentionNow(connection: ConnectionOptions, prefix: string): Promise<void> {
  const queue = new Queue(RETENTION_QUEUE, { connection, prefix });
  try {
    await queue.add('retention', {}, { removeOnComplete: 100, removeOnFail: 100 });
  } finally {
    await queue.close();
  }
}
