import type { DeadlineJob } from '@steward/core';
import { onDeadline } from '@steward/control';
import type { QueryRecord } from '@steward/store';
import { applyTransition } from './apply.ts';
import type { StepDeps } from './deps.ts';

/** The query's wall-clock deadline passed: load → onDeadline → apply. */
export async function handleDeadline(d: StepDeps, job: DeadlineJob): Promise<void> {
  const q = await d.queries.get(job.queryId);
  if (q) await endAtDeadline(d, q);
}

/** Shared by the deadline job and the sweeper; true when this call ended the query. */
export async function endAtDeadline(d: StepDeps, q: QueryRecord): Promise<boolean> {
  const t = onDeadline(q);
  return t ? (await applyTransition(d, q, t)) === 'applied' : false;
}
