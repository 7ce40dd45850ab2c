import type { Redis } from 'ioredis';
import { z } from 'zod';
import { QUEUES, parseJob, type JobPayload, type QueueName } from '@steward/core';
import type { JobSpec } from '@steward/control';
import type { Keys } from './keys.ts';
import type { Queues } from './queues.ts';
import { crashPoint } from './crash-point.ts';

/**
 * One job committed in the same Lua script as the state change that implies it. The applier
 * relays it to BullMQ right after the commit; the sweeper relays whatever a crash left behind.
 * Deterministic job ids make a second relay of the same entry a no-op in BullMQ.
 */
export const OutboxEntry = z.object({
  queue: z.enum(Object.values(QUEUES) as [QueueName, ...QueueName[]]),
  jobId: z.string().min(1),
  data: z.unknown(),
  /** Epoch ms before which the job must not run (a delayed job; the deadline job of an older release). */
  runAt: z.number().optional(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

/** The member string stored in the outbox for a job (its exact bytes are its identity). */
export function outboxMember<Q extends QueueName>(queue: Q, jobId: string, data: JobPayload<Q>, runAt?: number): string {
  return JSON.stringify({ queue, jobId, data, ...(runAt !== undefined ? { runAt } : {}) });
}

/** The outbox member of a job a kernel transition commits. */
export function memberOf(j: JobSpec): string {
  return outboxMember(j.queue, j.jobId, j.data as JobPayload<typeof j.queue>, j.runAt);
}

export class Outbox {
  private readonly redis: Redis;
  private readonly keys: Keys;
  private readonly queues: Queues;

  constructor(redis: Redis, keys: Keys, queues: Queues) {
    this.redis = redis;
    this.keys = keys;
    this.queues = queues;
  }

  /**
   * Hand committed entries to BullMQ, then drop the relayed ones from the outbox with one ZREM
   * (one round trip per step instead of one per job). An entry whose enqueue failed stays for
   * the sweeper; a crash before the ZREM leaves them all, and relaying one again is a no-op.
   */
  async relay(members: readonly string[]): Promise<void> {
    if (!members.length) return;
    const enqueued = await Promise.allSettled(
      members.map(async (m) => {
        const e = OutboxEntry.safeParse(safeJson(m));
        const data = e.success ? validPayload(e.data) : undefined;
        // An entry that cannot be read or fails its payload schema would fail in the worker
        // anyway: it is dropped rather than retried forever.
        if (e.success && data !== undefined) {
          const delay = e.data.runAt !== undefined ? Math.max(0, e.data.runAt - Date.now()) : undefined;
          await this.queues.add(e.data.queue, e.data.jobId, data as never, delay !== undefined ? { delay } : undefined);
          crashPoint('outbox.after_enqueue');
        }
      }),
    );
    const relayed = members.filter((_, i) => enqueued[i]!.status === 'fulfilled');
    if (relayed.length) await this.redis.zrem(this.keys.outbox, ...relayed);
    const failed = enqueued.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Drop committed entries without relaying them: their step was taken in place by the process
   * that committed them (a held observe, see @steward/steps decide.ts). Until dropped, the
   * sweeper relays them after its grace, which is what a crash in between relies on.
   */
  async drop(members: readonly string[]): Promise<void> {
    if (members.length) await this.redis.zrem(this.keys.outbox, ...members);
  }

  /** Relay entries committed more than `olderThanMs` ago: their writer died before relaying. */
  async relayStale(olderThanMs: number, now = Date.now(), limit = 200): Promise<number> {
    const members = await this.redis.zrangebyscore(this.keys.outbox, '-inf', now - olderThanMs, 'LIMIT', 0, limit);
    await this.relay(members);
    return members.length;
  }

  async size(): Promise<number> {
    return this.redis.zcard(this.keys.outbox);
  }
}

function validPayload(e: OutboxEntry): unknown {
  try {
    return parseJob(e.queue, e.data);
  } catch {
    return undefined;
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
