import type { Outbox } from './outbox.ts';
import { crashPoint } from './crash-point.ts';
import type { AdvanceInput, QueryStore } from './queries.ts';

/**
 * Apply one step of a running query: state, scratchpad, loop history, the turn's DAG and the
 * jobs the step implies, committed in one script, then the jobs relayed. A step that finds the
 * query elsewhere ('moved': a redelivery) or ended changes nothing; jobs it committed earlier
 * and did not relay are the sweeper's. `relay`: the committed jobs to relay now (default all); one
 * left out stays in the outbox, for the caller that takes its step in place (or the sweeper).
 */
export async function applyStep(s: { queries: QueryStore; outbox: Outbox }, queryId: string, a: AdvanceInput, relay: readonly string[] = a.jobs ?? []): Promise<'applied' | 'moved' | 'ended'> {
  return stepCommitted(s, await s.queries.advance(queryId, { ...a, nowMs: a.nowMs ?? Date.now() }), relay);
}

/** What follows a step's commit, wherever its ADVANCE ran: relay the jobs it committed. */
export async function stepCommitted(s: { outbox: Outbox }, r: 'applied' | 'moved' | 'ended', relay: readonly string[]): Promise<'applied' | 'moved' | 'ended'> {
  crashPoint('apply.after_commit');
  if (r === 'applied') await s.outbox.relay(relay);
  return r;
}
