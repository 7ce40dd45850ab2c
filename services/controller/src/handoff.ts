import type { HandoffJob } from '@steward/core';
import { emitEvent, HandoffStore } from '@steward/store';
import type { StepDeps } from '@steward/steps';

/**
 * Record a handoff for the operators' inbox (listed, claimed and answered through the ingress
 * API). The conversation already belongs to a person: the query's completion took it in the same
 * script, so no customer message can reach the agent while this job waits. A help-desk
 * integration would consume the same `handoff` queue.
 */
export async function handleHandoff(d: Pick<StepDeps, 'redis' | 'keys' | 'queries'>, job: HandoffJob): Promise<void> {
  const q = await d.queries.get(job.queryId);
  const created = await new HandoffStore(d.redis, d.keys).create(job, { channel: q?.channel ?? 'api', recipient: q?.recipient });
  if (!created) return;
  const event = await emitEvent(d.redis, d.keys, {
    id: `${job.queryId}:handoff`,
    type: 'handoff.created',
    queryId: job.queryId,
    conversationId: job.conversationId,
    traceId: job.traceId,
    data: { reason: job.reason, handoffId: job.queryId },
  });
  // The inbox watches one channel for every handoff.
  await d.redis.publish(d.keys.handoffLive, JSON.stringify(event));
}
