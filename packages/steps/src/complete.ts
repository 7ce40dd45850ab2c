import type { ChatMessage } from '@steward/core';
import type { Transition } from '@steward/control';
import { endQuery, endingJobs, type Ending, type QueryRecord } from '@steward/store';
import { fallbackFor, foldSummary } from './policy.ts';
import type { StepDeps } from './deps.ts';

export { rootSpanIdOf } from '@steward/store';

/**
 * End a query exactly once, as the kernel's transition says (`completion`, terminal `to`). One
 * script stores the answer, emits the completion event, adds the follow-up jobs (delivery to
 * the channel, the handoff record) to BullMQ and starts the conversation's next queued
 * message; nothing is left for a crash to skip. Compaction and the transcript run after, only
 * by the call that ended the query.
 */
export async function completeQuery(d: StepDeps, q: QueryRecord, t: Transition): Promise<boolean> {
  const end = endingOf(q, t);
  const r = await endQuery(d, q, end, d.now?.() ?? Date.now());
  if (r.applied) await afterEnding(d, q, t, end.answer, r.messages);
  return r.applied;
}

/** The ending a transition with a completion commits (COMPLETE's input with the query and a clock). */
export function endingOf(q: QueryRecord, t: Transition): Ending {
  const end = t.completion;
  if (!end) throw new Error('completeQuery needs a transition that ends the query');
  const answer = end.answer ?? fallbackFor(end.reason, q.language);
  return { outcome: end.outcome, reason: end.reason, state: t.to.state, answer, incr: t.incr, ...endingJobs(t.jobs), handsOff: end.handsOff };
}

/**
 * What only the call that ended the query does after the ending's commit and relay: compaction
 * (its cue: the conversation's message count the script answered) and the transcript.
 */
export async function afterEnding(d: StepDeps, q: QueryRecord, t: Transition, answer: string, messages: number | undefined): Promise<void> {
  const end = t.completion!;
  d.log.info({ queryId: q.queryId, outcome: end.outcome, reason: end.reason, turns: q.status === 'running' ? q.turn + 1 : 0 }, 'query completed');
  await d.conversations.compact(q.conversationId, d.limits.historyVerbatimMessages, foldSummary, messages);
  if (d.keepTranscript) {
    const steps = withoutOrphans(await d.queries.steps(q.queryId));
    await d.conversations.appendTranscript(q.conversationId, [
      { role: 'user', content: q.text },
      ...steps,
      ...(answer ? [{ role: 'assistant' as const, content: answer }] : []),
    ]);
  }
}

/** A turn cut short (ended while acting) leaves tool calls without results: providers reject those. */
function withoutOrphans(steps: ChatMessage[]): ChatMessage[] {
  const answered = new Set(steps.flatMap((s) => (s.role === 'tool' ? [s.tool_call_id] : [])));
  return steps.filter((s) => s.role !== 'assistant' || !s.tool_calls?.some((c) => !answered.has(c.id)));
}
