import { DEFAULTS, jobIds } from '@steward/core';
import type { Queues } from './queues.ts';
import type { QueryStore } from './queries.ts';

/**
 * Start a queued query: queued → running, then turn 0 and the deadline are enqueued. Both
 * enqueues use deterministic ids and run even when `begin` finds the query already running,
 * so a start interrupted by a crash is completed by whoever repeats it.
 */
export async function startQuery(
  queries: QueryStore,
  queues: Queues,
  queryId: string,
  deadlineMs: number = DEFAULTS.deadlineMs,
  now: number = Date.now(),
): Promise<boolean> {
  const q = await queries.get(queryId);
  if (!q) return false;
  if (q.status === 'queued') await queries.begin(q, now, deadlineMs);
  const cur = await queries.get(queryId);
  if (!cur || cur.status !== 'running' || cur.turn !== 0 || cur.state !== 'reasoning') return false;
  const deadlineAt = cur.deadlineAtMs ?? now + deadlineMs;
  await Promise.all([
    queues.add('reasoning', jobIds.reason(queryId, 0), { queryId, turn: 0 }),
    queues.add('control', jobIds.deadline(queryId), { type: 'deadline', queryId }, { delay: Math.max(0, deadlineAt - Date.now()) }),
  ]);
  return true;
}
