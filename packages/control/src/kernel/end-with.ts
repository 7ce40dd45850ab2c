import { jobIds, type EndReason, type QueryOutcome, type QueryState } from '@steward/core';
import { endingHandsOff } from '../handoff-rules.ts';
import { endEventFor, follow } from '../state-machine.ts';
import { jobSpec, type Completion, type Decision, type JobSpec, type QuerySnapshot, type Transition } from './transition.ts';

/**
 * The transition that ends a query: its terminal state is the table's, for the reason's event
 * from where the query stands (`at`, when the step first records something at another state).
 */
export function endWith(
  q: QuerySnapshot,
  end: { outcome: QueryOutcome; reason: EndReason; answer?: string; handoffSummary?: string },
  more: { incr?: Record<string, number>; events?: Decision[]; at?: QueryState } = {},
): Transition {
  const at = more.at ?? q.state;
  const completion: Completion = { ...end, handsOff: endingHandsOff(end) };
  return {
    from: { state: q.state, turn: q.turn },
    to: { state: follow(at, endEventFor(end.reason)), turn: q.turn },
    steps: [],
    events: more.events ?? [],
    jobs: completionJobs(q, completion),
    incr: more.incr ?? {},
    completion,
  };
}

/** What an ending commits with it: the answer's delivery to a platform, the handoff record. */
export function completionJobs(q: QuerySnapshot, end: Completion): JobSpec[] {
  const jobs: JobSpec[] = [];
  // The API and the web chat read the answer themselves (poll, SSE); platforms are sent it.
  // An ending with an empty answer (superseded) sends nothing.
  if (q.channel !== 'api' && q.channel !== 'web' && end.answer !== '') {
    jobs.push(
      jobSpec('deliveries', jobIds.delivery(q.queryId), {
        queryId: q.queryId,
        conversationId: q.conversationId,
        channel: q.channel,
        ...(q.recipient ? { recipient: q.recipient } : {}),
      }),
    );
  }
  if (end.handsOff) {
    jobs.push(
      jobSpec('handoff', jobIds.handoff(q.queryId), {
        queryId: q.queryId,
        conversationId: q.conversationId,
        ...(q.customerId ? { customerId: q.customerId } : {}),
        summary: end.handoffSummary ?? `${end.reason}: ${q.text.slice(0, 500)}`,
        reason: end.reason,
        traceId: q.traceId,
        language: q.language,
      }),
    );
  }
  return jobs;
}
