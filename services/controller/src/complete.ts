import { jobIds, type ChatMessage, type EndReason, type QueryOutcome } from '@steward/core';
import { endEventFor, endingHandsOff } from '@steward/control';
import { endQuery, outboxMember, type QueryRecord } from '@steward/store';
import { assertTransition, fallbackFor, foldSummary } from './policy.ts';
import type { ControllerDeps } from './deps.ts';

export { rootSpanIdOf } from '@steward/store';

export interface Ending {
  outcome: QueryOutcome;
  reason: EndReason;
  /** The answer; for fallbacks it is chosen here in the customer's language. */
  answer?: string;
  incr?: Record<string, number>;
  handoffSummary?: string;
}

/**
 * End a query exactly once. One script stores the answer, emits the completion event, commits
 * the follow-up jobs (delivery to the channel, the handoff record) to the outbox and starts the
 * conversation's next queued message; nothing is left for a crash to skip. Compaction and the
 * transcript run after, only by the call that ended the query.
 */
export async function completeQuery(d: ControllerDeps, q: QueryRecord, end: Ending): Promise<boolean> {
  const now = d.now?.() ?? Date.now();
  const answer = end.answer ?? fallbackFor(end.reason, q.language);
  // The end state is the table's, for the reason's event from where the query stands.
  const state = assertTransition(q.state, endEventFor(end.reason));
  const r = await endQuery(d, q, { outcome: end.outcome, reason: end.reason, state, answer, ...(end.incr ? { incr: end.incr } : {}), jobs: followUps(q, end), handsOff: endingHandsOff(end) }, now);
  if (r.applied) {
    d.log.info({ queryId: q.queryId, outcome: end.outcome, reason: end.reason, turns: q.status === 'running' ? q.turn + 1 : 0 }, 'query completed');
    await d.conversations.compact(q.conversationId, d.limits.historyVerbatimMessages, foldSummary);
    if (d.keepTranscript) {
      const steps = withoutOrphans(await d.queries.steps(q.queryId));
      await d.conversations.appendTranscript(q.conversationId, [
        { role: 'user', content: q.text },
        ...steps,
        ...(answer ? [{ role: 'assistant' as const, content: answer }] : []),
      ]);
    }
  }
  return r.applied;
}

function followUps(q: QueryRecord, end: Ending): string[] {
  const jobs: string[] = [];
  if (q.channel !== 'api' && q.channel !== 'web') {
    jobs.push(
      outboxMember('deliveries', jobIds.delivery(q.queryId), {
        queryId: q.queryId,
        conversationId: q.conversationId,
        channel: q.channel,
        ...(q.recipient ? { recipient: q.recipient } : {}),
      }),
    );
  }
  if (endingHandsOff(end)) {
    jobs.push(
      outboxMember('handoff', jobIds.handoff(q.queryId), {
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

/** A turn cut short (ended while acting) leaves tool calls without results: providers reject those. */
function withoutOrphans(steps: ChatMessage[]): ChatMessage[] {
  const answered = new Set(steps.flatMap((s) => (s.role === 'tool' ? [s.tool_call_id] : [])));
  return steps.filter((s) => s.role !== 'assistant' || !s.tool_calls?.some((c) => !answered.has(c.id)));
}
