import { jobIds, stableSpanId, type ChatMessage, type EndReason, type QueryOutcome, type QueryState } from '@steward/core';
import { startQuery, type QueryRecord } from '@steward/store';
import { fallbackFor, foldSummary } from './policy.ts';
import type { ControllerDeps } from './deps.ts';

export interface Ending {
  outcome: QueryOutcome;
  reason: EndReason;
  state: QueryState;
  /** The answer; for fallbacks it is chosen here in the customer's language. */
  answer?: string;
  incr?: Record<string, number>;
  handoffSummary?: string;
}

/**
 * End a query exactly once (one atomic script stores the answer and emits the completion
 * event), then run the follow-ups, each idempotent so a redelivered step may run them again:
 * delivery to the channel, the handoff record, the next queued message of the conversation.
 */
export async function completeQuery(d: ControllerDeps, q: QueryRecord, end: Ending): Promise<boolean> {
  const now = d.now?.() ?? Date.now();
  const answer = end.answer ?? fallbackFor(end.reason, q.language);
  const incr = end.incr ?? {};
  const turns = q.status === 'running' ? q.turn + 1 : 0;
  const r = await d.queries.complete(
    {
      queryId: q.queryId,
      outcome: end.outcome,
      reason: end.reason,
      state: end.state,
      answer,
      incr,
      event: {
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
          turns,
          toolCalls: q.toolCalls + (incr.toolCalls ?? 0),
          inputTokens: q.inputTokens + (incr.inputTokens ?? 0),
          outputTokens: q.outputTokens + (incr.outputTokens ?? 0),
          costUsd: q.costUsd + (incr.costUsd ?? 0),
          language: q.language,
          answer,
        },
      },
    },
    q.conversationId,
  );
  if (r.applied) {
    d.log.info({ queryId: q.queryId, outcome: end.outcome, reason: end.reason, turns }, 'query completed');
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
  await followUps(d, q, end);
  return r.applied;
}

async function followUps(d: ControllerDeps, q: QueryRecord, end: Ending): Promise<void> {
  const tasks: Promise<unknown>[] = [];
  if (q.channel !== 'api' && q.channel !== 'web') {
    tasks.push(
      d.queues.add('deliveries', jobIds.delivery(q.queryId), {
        queryId: q.queryId,
        conversationId: q.conversationId,
        channel: q.channel,
        ...(q.recipient ? { recipient: q.recipient } : {}),
      }),
    );
  }
  if (end.outcome === 'handoff' || end.reason === 'loop_detected') {
    tasks.push(
      d.queues.add('handoff', jobIds.handoff(q.queryId), {
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
  // Hand the conversation to the message queued behind this one (double texting). Read from
  // the conversation rather than from the completion's result so a repeat after a crash
  // still starts it.
  const active = await d.redis.hget(d.keys.conversation(q.conversationId), 'activeQueryId');
  if (active && active !== q.queryId) tasks.push(startQuery(d.queries, d.queues, active, d.limits.deadlineMs));
  await Promise.all(tasks);
}

/** A turn cut short (ended while acting) leaves tool calls without results: providers reject those. */
function withoutOrphans(steps: ChatMessage[]): ChatMessage[] {
  const answered = new Set(steps.flatMap((s) => (s.role === 'tool' ? [s.tool_call_id] : [])));
  return steps.filter((s) => s.role !== 'assistant' || !s.tool_calls?.some((c) => !answered.has(c.id)));
}

export function rootSpanIdOf(queryId: string): string {
  return stableSpanId(queryId, 'root');
}
