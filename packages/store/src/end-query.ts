import { stableSpanId, type EndReason, type QueryOutcome, type QueryState } from '@steward/core';
import type { EmitInput } from './events.ts';
import type { JobSpec } from '@steward/control';
import { addsInScript } from './bull-add.ts';
import { memberOf, type Outbox } from './outbox.ts';
import { crashPoint } from './crash-point.ts';
import type { CompleteInput, Completed, QueryStore } from './queries.ts';
import type { QueryRecord } from './query-record.ts';

export interface Ending {
  outcome: QueryOutcome;
  reason: EndReason;
  state: QueryState;
  /** What the customer is sent ('' = nothing, e.g. a superseded query). */
  answer: string;
  incr?: Record<string, number>;
  /** Follow-up jobs (delivery, handoff) as outbox members, committed with the ending (delayed ones; see endingJobs). */
  jobs?: string[];
  /** Follow-up jobs the ending's script adds to BullMQ itself (ADR 0040). */
  add?: readonly Pick<JobSpec, 'queue' | 'jobId' | 'data'>[];
  /** The ending gives the conversation to a person (see control's `endingHandsOff`). */
  handsOff?: boolean;
}

/** The root span of a query's trace: the tracer and the completion event agree on it. */
export function rootSpanIdOf(queryId: string): string {
  return stableSpanId(queryId, 'root');
}

/** The one `query.completed` event, whoever ends the query (controller, intake, sweeper). */
export function completionEvent(q: QueryRecord, end: Ending, now: number): EmitInput {
  const incr = end.incr ?? {};
  return {
    id: `${q.queryId}:completed`,
    type: 'query.completed',
    queryId: q.queryId,
    conversationId: q.conversationId,
    traceId: q.traceId,
    ts: now,
    data: {
      outcome: end.outcome,
      reason: end.reason,
      rootSpanId: rootSpanIdOf(q.queryId),
      ...(q.parentSpanId ? { parentSpanId: q.parentSpanId } : {}),
      startMs: q.createdMs,
      endMs: now,
      turns: q.status === 'running' ? q.turn + 1 : 0,
      toolCalls: q.toolCalls + (incr.toolCalls ?? 0),
      inputTokens: q.inputTokens + (incr.inputTokens ?? 0),
      outputTokens: q.outputTokens + (incr.outputTokens ?? 0),
      costUsd: q.costUsd + (incr.costUsd ?? 0),
      language: q.language,
      ...(end.answer ? { answer: end.answer } : {}),
    },
  };
}

/** An ending's follow-up jobs: those its script adds to BullMQ itself, the others (delayed) as outbox members. */
export function endingJobs(jobs: readonly JobSpec[]): Pick<Ending, 'add' | 'jobs'> {
  return { add: jobs.filter(addsInScript), jobs: jobs.filter((j) => !addsInScript(j)).map(memberOf) };
}

/** The COMPLETE input of an ending (what endQuery commits; a script that runs COMPLETE inside it commits the same). */
export function completeInputOf(q: QueryRecord, end: Ending, now: number): CompleteInput {
  return {
    queryId: q.queryId,
    outcome: end.outcome,
    reason: end.reason,
    state: end.state,
    answer: end.answer,
    event: completionEvent(q, end, now),
    ...(end.incr ? { incr: end.incr } : {}),
    ...(end.jobs ? { jobs: end.jobs } : {}),
    ...(end.add ? { add: end.add } : {}),
    ...(end.handsOff ? { handsOff: true } : {}),
  };
}

/**
 * End a query exactly once, in one script: outcome, answer, completion event, follow-up jobs,
 * and the start of the conversation's next queued query; then relay the committed jobs.
 */
export async function endQuery(
  s: { queries: QueryStore; outbox: Outbox },
  q: QueryRecord,
  end: Ending,
  now: number = Date.now(),
): Promise<{ applied: boolean; nextQueryId?: string; messages?: number }> {
  return endCommitted(s, await s.queries.complete(completeInputOf(q, end, now), q.conversationId));
}

/** What follows an ending's commit, wherever its COMPLETE ran: relay the jobs it committed. */
export async function endCommitted(s: { outbox: Outbox }, r: Completed): Promise<{ applied: boolean; nextQueryId?: string; messages?: number }> {
  crashPoint('complete.after_commit');
  // The query's deadline needs no clean-up here: the script removed its `deadlines` entry
  // (there is no deadline job to withdraw since ADR 0027).
  await s.outbox.relay(r.jobs);
  return { applied: r.applied, ...(r.nextQueryId ? { nextQueryId: r.nextQueryId } : {}), ...(r.messages !== undefined ? { messages: r.messages } : {}) };
}
