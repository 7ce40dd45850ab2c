import type { ChatMessage, ObserveJob } from '@steward/core';
import { awaitsObservation, onTurnDone, turnEnded, type CallResult, type LoopTurn } from '@steward/control';
import { crashPoint, type EndedTurn, type QueryRecord } from '@steward/store';
import { advanceInputOf, applyTransition, rulesOf, stepJobs } from './apply.ts';
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
  const { t, remembered } = observeOn(d, q, job.turn, { results, left, proposal, history, memory });
  if (t && !t.completion) {
    await applyTransition(d, q, withMemory(t, q.conversationId, remembered));
    return;
  }
  // No step, or an ending: the memory is stored first, on its own (the next query reads it).
  await d.conversations.setMemory(q.conversationId, remembered);
  if (t) await applyTransition(d, q, t);
}

/** The kernel's step on an ended turn, and the working memory with the turn's results folded in. */
function observeOn(d: StepDeps, q: QueryRecord, turn: number, s: { results: readonly (CallResult | undefined)[]; left: number; proposal: ChatMessage | undefined; history: readonly LoopTurn[]; memory: string }) {
  const proposedArgs = toolCallArgs(s.proposal);
  // The working memory carries what these results showed into every later prompt of the conversation.
  const remembered = foldToolResults(s.memory, s.results as CallResult[], proposedArgs);
  const t = onTurnDone({ query: q, results: s.results, left: s.left, proposedArgs, history: s.history }, { turn }, rulesOf(d));
  return { t, remembered };
}

/** The observe step decided before the turn's last result is recorded: ADVANCE's KEYS and ARGV, and the outbox members to relay once it applied. */
export interface ObserveStep {
  keys: string[];
  argv: (string | number)[];
  relay: string[];
}

/**
 * The observe step of a turn whose results are all known to the caller (the tool-worker that runs
 * its last call), decided before that result is recorded, for the record's script to apply with it
 * (ADR 0041); undefined when it must be taken as before, after the record: the query does not wait
 * for this turn, the step ends the query (its memory is stored on its own) or records decision
 * events first (they go on the trace before the step, ADR 0012). `turn`: as the turn's first job's
 * start read it (DAG_START), with every result.
 */
export function observeBeforeRecord(d: StepDeps, q: QueryRecord, turn: number, s: { results: readonly CallResult[]; proposal: ChatMessage | undefined; history: readonly unknown[]; memory: string }, nowMs: number = d.now?.() ?? Date.now()): ObserveStep | undefined {
  if (!awaitsObservation(q, turn)) return undefined;
  const { t, remembered } = observeOn(d, q, turn, { ...s, left: 0, history: s.history as LoopTurn[] });
  if (!t || t.completion || t.events.length || t.recordAt) return undefined;
  const step = withMemory(t, q.conversationId, remembered);
  const jobs = stepJobs(step);
  return { ...d.queries.advanceArgs(q.queryId, advanceInputOf(step, jobs, nowMs)), relay: jobs.relay };
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
