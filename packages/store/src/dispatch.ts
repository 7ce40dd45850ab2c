import { jobIds } from '@steward/core';
import type { DagStore } from './dag.ts';
import type { Queues } from './queues.ts';

/**
 * What a turn's DAG needs next: the observe step when no call is left, else a job for each call
 * whose dependencies have all ended. Deterministic job ids make a repeat (after a crash) harmless.
 */
export async function dispatchTurn(
  dags: DagStore,
  queues: Queues,
  queryId: string,
  turn: number,
  progress: { left: number; ready: readonly number[] },
): Promise<void> {
  if (progress.left === 0) {
    await queues.add('control', jobIds.observe(queryId, turn), { type: 'observe', queryId, turn });
    return;
  }
  await Promise.all(
    progress.ready.map(async (i) => {
      const job = await dags.job(queryId, turn, i);
      if (job) await queues.add('tools', jobIds.toolCall(queryId, turn, i), job);
    }),
  );
}
