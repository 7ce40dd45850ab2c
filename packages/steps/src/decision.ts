import { emitEvent } from '@steward/store';
import type { StepDeps } from './deps.ts';

/** A controller decision (loop warning, limit, handoff, confirmation) as an event on the query's trace. */
export async function decision(
  d: Pick<StepDeps, 'redis' | 'keys'>,
  q: { queryId: string; conversationId: string; traceId: string },
  turn: number,
  kind: string,
  detail: string,
): Promise<void> {
  await emitEvent(d.redis, d.keys, {
    id: `${q.queryId}:t${turn}:${kind}`,
    type: 'control.decision',
    queryId: q.queryId,
    conversationId: q.conversationId,
    traceId: q.traceId,
    data: { kind, detail, turn },
  });
}
