import { onProposal, type Transition } from '@steward/control';
import { advanceResultOf, completeInputOf, completeResultOf, endCommitted, stepCommitted, type QueryRecord } from '@steward/store';
import { advanceInputOf, rulesOf, stepJobs } from './apply.ts';
import { afterEnding, endingOf } from './complete.ts';
import { needsConfirmationReads, observedUpFront, type ProposalInput } from './decide.ts';
import type { StepDeps } from './deps.ts';

/**
 * A turn's step decided on the query as loaded before the model call, to be applied by the
 * script the turn sends after the call anyway (ADR 0034): one sequential round trip instead of
 * two (the call's script, then ADVANCE or COMPLETE). The query cannot have changed while it
 * still reasons at this turn (every write to its hash moves its status, state or turn), so the
 * script's compare-and-set on those is the whole staleness check; the budget after this call's
 * cost, the one input not known before the script, is checked by the script too (`budget`).
 * `script`: the step's own script (ADVANCE or COMPLETE) and its KEYS and ARGV, for the caller to
 * run inside its script; `doneTtl` (an ending) the done TTL's, run after it in the same script.
 */
export interface OptimisticStep {
  kind: 'advance' | 'complete';
  transition: Transition;
  turn: number;
  /** The step is taken only within the budgets after this call (any step but an answer that reported usage). */
  budget: boolean;
  keys: string[];
  argv: (string | number)[];
  /** An advance: the outbox members to relay once it applied (its delayed jobs; the others its script adds). */
  relay: string[];
  /** An ending: its answer (for the transcript) and the done TTL's KEYS and ARGV. */
  answer: string;
  doneTtl: { keys: string[]; argv: (string | number)[] };
}

/**
 * The step the kernel takes on this proposal if the query is still where it was loaded and the
 * budgets after the call hold, or undefined when the step must be decided after the call's
 * script, as before: a guarded write (its confirmation reads must be fresh), a step that records
 * decision events first (they go on the trace before the step, one script each), one observed up
 * front (its observe runs in place after the apply), or no step at all (a stale job).
 */
export function optimisticStep(d: StepDeps, q: QueryRecord, p: ProposalInput, nowMs: number = d.now?.() ?? Date.now()): OptimisticStep | undefined {
  if (needsConfirmationReads(d, p)) return undefined;
  // Decided as within the budgets; the script applies it only if they hold after this call's cost.
  const t = onProposal({ query: q, nowMs, ...(p.usage ? { budget: { ok: true as const } } : {}) }, p, rulesOf(d));
  if (!t || t.events.length || t.recordAt || observedUpFront(t)) return undefined;
  // The kernel's rule: an answer is delivered whatever the budgets; anything else stops at them.
  const budget = p.usage !== undefined && p.proposal.kind !== 'answer';
  const common = { transition: t, turn: p.turn, budget, doneTtl: d.queries.doneTtlArgs(q.queryId) };
  if (t.completion) {
    const end = endingOf(q, t);
    const { keys, argv } = d.queries.completeArgs(completeInputOf(q, end, nowMs), q.conversationId);
    return { ...common, kind: 'complete', keys, argv, relay: [], answer: end.answer };
  }
  const jobs = stepJobs(t);
  const { keys, argv } = d.queries.advanceArgs(q.queryId, advanceInputOf(t, jobs, nowMs));
  return { ...common, kind: 'advance', keys, argv, relay: jobs.relay, answer: '' };
}

/**
 * After the script applied (or compare-and-set away) an optimistic step: what applyTransition
 * does after its own script (the crash point, the relay; for an ending, compaction and the
 * transcript). `reply`: the step script's own reply.
 */
export async function optimisticCommitted(d: StepDeps, q: QueryRecord, s: OptimisticStep, reply: unknown): Promise<'applied' | 'moved' | 'ended'> {
  if (s.kind === 'advance') return stepCommitted(d, advanceResultOf(reply), s.relay);
  const r = completeResultOf(reply);
  await endCommitted(d, r);
  if (!r.applied) return 'ended';
  await afterEnding(d, q, s.transition, s.answer, r.messages);
  return 'applied';
}
