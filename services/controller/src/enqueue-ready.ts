import { jobIds } from '@steward/core';
import type { ControllerDeps } from './deps.ts';

/**
 * Enqueue every call of a turn whose dependencies have ended and which has no result yet, or
 * the observe step when none is left. Deterministic job ids make a repeat harmless.
 */
export async function enqueueReady(d: Pick<ControllerDeps, 'dags' | 'queues'>, queryId: string, _conversationId: string, turn: number): Promise<void> {
  const { n, left } = await d.dags.results(queryId, turn);
  if (n > 0 && left === 0) {
    await d.queues.add('control', jobIds.observe(queryId, turn), { type: 'observe', queryId, turn });
    return;
  }
  const ready = await d.dags.ready(queryId, turn);
  await Promise.all(
    ready.map(async (i) => {
      const job = await d.dags.job(queryId, turn, i);
      if (job) await d.queues.add('tools', jobIds.toolCall(queryId, turn, i), job);
    }),
  );
}
