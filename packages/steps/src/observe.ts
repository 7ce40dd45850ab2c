import type { ChatMessage, ObserveJob } from '@steward/core';
import { awaitsObservation, onTurnDone, turnEnded, type CallResult, type LoopTurn } from '@steward/control';
import { crashPoint, type EndedTurn } from '@steward/store';
import { applyTransition, rulesOf } from './apply.ts';
import type { StepDeps } from './deps.ts';
import { foldToolResults, withMemory } from './remember.ts';

/**
 * All calls of a turn have ended: load → the kernel's onTurnDone → apply. Idempotent: a
 * redelivered observe finds the query moved on and changes nothing. `ended`: the turn as the
 * script that recorded its last result read it (the tool-worker), instead of the reads here.
 */
export async function handleObserve(d: StepDeps, job: ObserveJob, ended?: Omit<EndedTurn, 'query'>): Promise<void> {
  // Named by the job, the conversation's memory is read with the query, in one round trip; an
  // older job without it reads the query first. A redelivered observe wastes these reads.
  const conversationId = job.conversationId;
  const given = ended && conversationId ? { ...ended, history: ended.history as LoopTurn[], left: 0 } : undefined;
  const [q, loaded] = await Promise.all([d.queries.get(job.queryId), given ?? (conversationId ? loadTurn(d, job.queryId, job.turn, conversationId) : undefined)]);
  crashPoint('observe.after_load');
  if (!q || !awaitsObservation(q, job.turn)) return;
  const fresh = loaded && conversationId === q.conversationId ? loaded : undefined;
  const { results, left, proposal, history, memory } = fresh ?? (await loadTurn(d, q.queryId, job.turn, q.conversationId));
  if (!turnEnded({ results, left })) {
    d.log.warn({ queryId: q.queryId, turn: job.turn, left }, 'observe before the turn ended');
    return;
  }
  const proposedArgs = toolCallArgs(proposal);
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

/** What observe reads besides the query: the turn's results, the scratchpad, the loop history, the memory. */
async function loadTurn(d: StepDeps, queryId: string, turn: number, conversationId: string) {
  const [{ results, left }, steps, history, memory] = await Promise.all([
    d.dags.results(queryId, turn),
    d.queries.steps(queryId),
    d.queries.history<LoopTurn>(queryId),
    d.conversations.memory(conversationId),
  ]);
  return { results, left, proposal: lastProposal(steps), history, memory };
}

/** The scratchpad's last assistant message with tool calls: the proposal of the turn that ended. */
function lastProposal(steps: readonly ChatMessage[]): ChatMessage | undefined {
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (s.role === 'assistant' && s.tool_calls?.length) return s;
  }
  return undefined;
}

/** The arguments of the turn's tool calls, by index, from the assistant message that proposed them. */
function toolCallArgs(proposal: ChatMessage | undefined): Record<string, unknown>[] {
  if (proposal?.role !== 'assistant' || !proposal.tool_calls) return [];
  return proposal.tool_calls.map((c) => {
    try {
      return JSON.parse(c.function.arguments) as Record<string, unknown>;
    } catch {
      return {};
    }
  });
}
