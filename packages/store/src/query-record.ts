import { z } from 'zod';
import { EndReason, LanguageSchema, QueryOutcome, QueryState, QueryStatus } from '@steward/core';

const num = z.coerce.number();
const optStr = z.string().optional();

/** The query hash `{prefix}:q:{id}` as stored (Redis hashes hold strings). */
export const QueryRecord = z.object({
  queryId: z.string(),
  conversationId: z.string(),
  /** Who sent it (absent on records older than the ownership model: only operators read those). */
  principal: optStr,
  customerId: optStr,
  channel: z.string(),
  messageId: optStr,
  recipient: optStr,
  text: z.string(),
  language: LanguageSchema,
  status: QueryStatus,
  state: QueryState,
  outcome: QueryOutcome.optional(),
  reason: EndReason.optional(),
  answer: optStr,
  /** The turn in progress (0-based); a job for another turn is stale. */
  turn: num.default(0),
  toolCalls: num.default(0),
  inputTokens: num.default(0),
  outputTokens: num.default(0),
  costUsd: num.default(0),
  traceId: z.string(),
  parentSpanId: optStr,
  createdMs: num,
  startedMs: num.optional(),
  deadlineAtMs: num.optional(),
  /** Deadline of the query from its start, fixed at accept (whoever starts it uses it). */
  deadlineMs: num.optional(),
  completedMs: num.optional(),
  /** Nudge for the next prompt after a loop warning. */
  nudge: optStr,
});
export type QueryRecord = z.infer<typeof QueryRecord>;

export const TERMINAL_STATES = new Set(['completed', 'failed', 'loop_detected', 'handed_off']);

export function isTerminal(q: Pick<QueryRecord, 'status'>): boolean {
  return q.status === 'completed' || q.status === 'failed';
}

/** The public view of `GET /v1/queries/:id`. */
export function queryView(q: QueryRecord) {
  return {
    queryId: q.queryId,
    conversationId: q.conversationId,
    status: q.status,
    state: q.state,
    outcome: q.outcome ?? null,
    reason: q.reason ?? null,
    answer: q.answer ?? null,
    language: q.language,
    turns: q.status === 'queued' ? 0 : q.turn + 1,
    toolCalls: q.toolCalls,
    tokens: { input: q.inputTokens, output: q.outputTokens },
    costUsd: q.costUsd,
    traceId: q.traceId,
    createdAt: new Date(q.createdMs).toISOString(),
    completedAt: q.completedMs ? new Date(q.completedMs).toISOString() : null,
  };
}
export type QueryView = ReturnType<typeof queryView>;
