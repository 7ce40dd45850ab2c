import type { DeadlineJob } from '@steward/core';
import { completeQuery } from './complete.ts';
import type { ControllerDeps } from './deps.ts';
import { decision } from './decision.ts';

/** The query's wall-clock deadline passed: end it with the fallback unless it already ended. */
export async function handleDeadline(d: ControllerDeps, job: DeadlineJob): Promise<void> {
  const q = await d.queries.get(job.queryId);
  if (!q || q.status === 'completed' || q.status === 'failed' || q.status === 'queued') return;
  await decision(d, q, q.turn, 'limit', 'deadline');
  await completeQuery(d, q, { outcome: 'fallback', reason: 'deadline', state: 'failed' });
}
