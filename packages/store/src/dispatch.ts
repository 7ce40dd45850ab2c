import { onToolResult } from '@steward/control';
import type { DagProgress } from './dag.ts';
import type { Queues } from './queues.ts';

/**
 * Enqueue what a turn's DAG needs after a recorded result (the kernel's `onToolResult`: the
 * observe step when no call is left, else each call whose dependencies have all ended). The
 * ready calls' jobs came back from the completion script (DagStore.complete), so nothing is
 * read again here. Deterministic job ids make a repeat (after a crash) harmless.
 */
export async function dispatchTurn(queues: Queues, queryId: string, turn: number, progress: DagProgress, conversationId?: string): Promise<void> {
  const at = { queryId, turn, ...(conversationId ? { conversationId } : {}) };
  const jobs = onToolResult({ left: progress.left, ready: progress.left === 0 ? [] : progress.jobs }, at);
  // A JobSpec's payload was typed for its queue where the transition built it.
  await Promise.all(jobs.map((j) => queues.add(j.queue, j.jobId, j.data as never)));
}
