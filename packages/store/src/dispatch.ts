import { onToolResult } from '@steward/control';
import type { ToolJob } from '@steward/core';
import type { DagStore } from './dag.ts';
import type { Queues } from './queues.ts';

/**
 * Enqueue what a turn's DAG needs after a recorded result (the kernel's `onToolResult`: the
 * observe step when no call is left, else each call whose dependencies have all ended).
 * Deterministic job ids make a repeat (after a crash) harmless.
 */
export async function dispatchTurn(
  dags: DagStore,
  queues: Queues,
  queryId: string,
  turn: number,
  progress: { left: number; ready: readonly number[] },
): Promise<void> {
  const ready = progress.left === 0 ? [] : await Promise.all(progress.ready.map((i) => dags.job(queryId, turn, i)));
  const jobs = onToolResult({ left: progress.left, ready: ready.filter((j): j is ToolJob => j !== undefined) }, { queryId, turn });
  // A JobSpec's payload was typed for its queue where the transition built it.
  await Promise.all(jobs.map((j) => queues.add(j.queue, j.jobId, j.data as never)));
}
