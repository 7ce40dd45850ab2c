import type { DeadlineJob } from '@steward/core';
import type { QueryRecord } from '@steward/store';
import { completeQuery } from './complete.ts';
import type { ControllerDeps } from './deps.ts';
import { decision } from './decision.ts';

/** The query's wall-clock deadline passed: end it with the fallback unless it already ended. */
export async function handleDeadline(d: ControllerDeps, job: DeadlineJob): Promise<void> {
  const q = await d.queries.get(job.queryId);
  if (!q || q.status !== 'running') return;
  await endAtDeadline(d, q);
}

/** Shared by the deadline job and the sweeper. */
export async function endAtDeadline(d: ControllerDeps, q: QueryRecord): Promise<boolean> {
  await decision(d, q, q.turn, 'limit', 'deadline');
  return completeQuery(d, q, { outcome: 'fallback', reason: 'deadline' });
}
