import type { ChatMessage, ObserveJob } from '@steward/core';
import { awaitsObservation, onTurnDone, turnEnded, type CallResult, type LoopTurn } from '@steward/control';
import { crashPoint } from '@steward/store';
import { applyTransition, rulesOf } from './apply.ts';
import type { ControllerDeps } from './deps.ts';
import { foldToolResults, withMemory } from './remember.ts';

/**
 * All calls of a turn have ended: load → the kernel's onTurnDone → apply. Idempotent: a
 * redelivered observe finds the query moved on and changes nothing.
 */
export async function handleObserve(d: ControllerDeps, job: ObserveJob): Promise<void> {
  const q = await d.queries.get(job.queryId);
  crashPoint('observe.after_load');
  if (!q || !awaitsObservation(q, job.turn)) return;

  const [{ results, left }, steps, history, memory] = await Promise.all([
    d.dags.results(q.queryId, job.turn),
    d.queries.steps(q.queryId),
    d.queries.history<LoopTurn>(q.queryId),
    d.conversations.memory(q.conversationId),
  ]);
  if (!turnEnded({ results, left })) {
    d.log.warn({ queryId: q.queryId, turn: job.turn, left }, 'observe before the turn ended');
    return;
  }
  const proposedArgs = lastToolCalls(steps);
  // The working memory carries what these results showed into every later prompt of the conversation.
  const remembered = foldToolResults(memory, results as CallResult[], proposedArgs);
  const t = onTurnDone({ query: q, results, left, proposedArgs, history }, job, rulesOf(d));
  if (t && !t.completion) {
    await applyTransition(d, q, withMemory(t, q.conversationId, remembered));
    return;
  }
  // No step, or an ending: the memory is stored first, on its own (the next query reads it).
  await d.conversations.setMemory(q.conversationId, remembered);
  if (t) await applyTransition(d, q, t);
}

/** The arguments of the turn's tool calls, by index, from the assistant message that proposed them. */
function lastToolCalls(steps: ChatMessage[]): Record<string, unknown>[] {
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (s.role === 'assistant' && s.tool_calls?.length) {
      return s.tool_calls.map((c) => {
        try {
          return JSON.parse(c.function.arguments) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
    }
  }
  return [];
}
