import { DEFAULTS, type HandoffJob } from '@steward/core';
import { emitEvent } from '@steward/store';
import type { ControllerDeps } from './deps.ts';

/**
 * Record a handoff for the ops queue (listed and claimed through the ingress API). A help-desk
 * integration would consume the same `handoff` queue.
 */
export async function handleHandoff(d: Pick<ControllerDeps, 'redis' | 'keys'>, job: HandoffJob): Promise<void> {
  const key = d.keys.handoff(job.queryId);
  const created = await d.redis.hsetnx(key, 'queryId', job.queryId);
  if (!created) return;
  const now = Date.now();
  await d.redis
    .multi()
    .hset(key, {
      conversationId: job.conversationId,
      customerId: job.customerId ?? '',
      summary: job.summary,
      reason: job.reason,
      traceId: job.traceId,
      language: job.language,
      createdMs: now,
    })
    .expire(key, DEFAULTS.handoffTtlSec)
    .zadd(d.keys.handoffs, now, job.queryId)
    // The index only lists records that still exist: entries older than a record's lifetime go,
    // and the index itself expires when no handoff came for that long — Redis stays bounded.
    .zremrangebyscore(d.keys.handoffs, '-inf', now - DEFAULTS.handoffTtlSec * 1000)
    .expire(d.keys.handoffs, DEFAULTS.handoffTtlSec)
    .exec();
  await emitEvent(d.redis, d.keys, {
    id: `${job.queryId}:handoff`,
    type: 'handoff.created',
    queryId: job.queryId,
    conversationId: job.conversationId,
    traceId: job.traceId,
    data: { reason: job.reason },
  });
}
