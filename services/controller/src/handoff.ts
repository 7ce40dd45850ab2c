import type { HandoffJob } from '@steward/core';
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
    .expire(key, 30 * 24 * 3600)
    .zadd(d.keys.handoffs, now, job.queryId)
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
