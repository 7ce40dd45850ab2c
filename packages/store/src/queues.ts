import { Queue, type JobsOptions, type ConnectionOptions } from 'bullmq';
import { QUEUES, type JobPayload, type QueueName } from '@steward/core';

/**
 * Completed jobs are kept 15 minutes so that a deterministic job id added again by a
 * redelivered step finds its twin and is ignored; handlers are idempotent beyond that.
 */
export const JOB_RETENTION_SEC = 900;
const KEEP = { removeOnComplete: { age: JOB_RETENTION_SEC, count: 200_000 }, removeOnFail: { age: 7 * 24 * 3600 } };

export const JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  // The LLM client retries 429/5xx itself; a job retry covers a crashed or stalled worker.
  reasoning: { attempts: 4, backoff: { type: 'exponential', delay: 500 }, ...KEEP },
  control: { attempts: 10, backoff: { type: 'exponential', delay: 100 }, ...KEEP },
  tools: { attempts: 6, backoff: { type: 'exponential', delay: 200 }, ...KEEP },
  deliveries: { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, ...KEEP },
  handoff: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, ...KEEP },
};

export type Queues = { [Q in QueueName]: Queue } & {
  add<Q extends QueueName>(queue: Q, jobId: string, data: JobPayload<Q>, opts?: JobsOptions): Promise<void>;
  close(): Promise<void>;
};

export function createQueues(connection: ConnectionOptions, prefix: string): Queues {
  const qs = {} as Record<QueueName, Queue>;
  for (const name of Object.values(QUEUES)) qs[name] = new Queue(name, { connection, prefix });
  return {
    ...qs,
    async add(queue, jobId, data, opts) {
      await qs[queue].add(queue, data, { ...JOB_OPTIONS[queue], ...opts, jobId });
    },
    async close() {
      await Promise.all(Object.values(qs).map((q) => q.close()));
    },
  };
}
