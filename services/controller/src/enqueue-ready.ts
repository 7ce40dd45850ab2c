import { dispatchTurn } from '@steward/store';
import type { ControllerDeps } from './deps.ts';

/** Re-enqueue what a turn's DAG needs next, read back from Redis (a redelivered step). */
export async function enqueueReady(d: Pick<ControllerDeps, 'dags' | 'queues'>, queryId: string, turn: number): Promise<void> {
  const [{ n, left }, ready] = await Promise.all([d.dags.results(queryId, turn), d.dags.ready(queryId, turn)]);
  if (n === 0) return;
  await dispatchTurn(d.dags, d.queues, queryId, turn, { left, ready });
}
