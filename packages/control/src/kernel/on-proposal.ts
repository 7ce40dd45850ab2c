import { jobIds, text, type DecideJob } from '@steward/core';
import { follow } from '../state-machine.ts';
import { endWith } from './end-with.ts';
import { planCalls, type ConfirmationSnapshot } from './plan-calls.ts';
import { trippedLimit } from './query-limits.ts';
import { hasEnded, jobSpec, type KernelRules, type QuerySnapshot, type Transition } from './transition.ts';

export interface ProposalSnapshot {
  query: QuerySnapshot;
  nowMs: number;
  /** The conversation's and query's LLM budgets after this turn's cost (absent: the turn reported no usage). */
  budget?: { ok: true } | { ok: false; exceeded: 'token_budget' | 'cost_budget' };
  /** Loaded only when the proposal holds a guarded write (see `isGuarded`). */
  confirmation?: ConfirmationSnapshot | null;
}

/** The query waits for this turn's proposal (else the decide job is a stale redelivery). */
export function awaitsProposal(q: Pick<QuerySnapshot, 'status' | 'state' | 'turn'>, turn: number): boolean {
  return !hasEnded(q) && q.turn === turn && q.state === 'reasoning';
}

/**
 * The model's proposal for a turn: end the query (answer, LLM failure, a limit, a handoff), hand
 * an unusable output back to the model, or turn the proposed tool calls into the turn's DAG.
 * null: a redelivered proposal for a turn that already moved on (nothing to do).
 */
export function onProposal(s: ProposalSnapshot, job: Pick<DecideJob, 'turn' | 'proposal' | 'usage'>, r: KernelRules): Transition | null {
  const q = s.query;
  if (!awaitsProposal(q, job.turn)) return null;
  const u = job.usage;
  const incr: Record<string, number> = u ? { inputTokens: u.inputTokens, outputTokens: u.outputTokens, costUsd: u.costUsd } : {};
  const p = job.proposal;
  const l = r.limits;
  const fallback = (reason: Parameters<typeof endWith>[1]['reason']) => endWith(q, { outcome: 'fallback', reason }, { incr });

  // An answer is always delivered: the budget and the limits only stop further work.
  if (s.budget && !s.budget.ok && p.kind !== 'answer') return fallback(s.budget.exceeded);
  const limit = trippedLimit(q, l, { turn: job.turn, nowMs: s.nowMs, incr });
  if (limit && p.kind !== 'answer') return fallback(limit);
  if (p.kind === 'answer') return endWith(q, { outcome: 'answered', reason: 'answered', answer: p.answer }, { incr });
  // A model that kept replying with garbage is not an outage and not a loop: its own reason.
  if (p.kind === 'llm_error') return fallback(p.fault ? 'model_fault' : 'llm_unavailable');
  // Any other proposal needs another LLM turn to be read: stop here when none is left.
  if (job.turn + 1 >= l.maxTurns) return fallback('max_turns');

  if (p.kind === 'malformed') {
    return {
      from: { state: q.state, turn: job.turn },
      to: { state: follow(q.state, 'reject_output'), turn: job.turn + 1 },
      steps: [{ role: 'user', content: `[system note] Your previous output could not be used: ${p.error}` }],
      events: [],
      jobs: [jobSpec('reasoning', jobIds.reason(q.queryId, job.turn + 1), { queryId: q.queryId, turn: job.turn + 1 })],
      incr,
    };
  }

  const calls = p.calls.slice(0, l.maxToolCallsPerTurn);
  if (q.toolCalls + calls.length > l.maxToolCallsPerQuery) return fallback('tool_limit');
  const handoff = calls.find((c) => !c.error && r.tools.get(c.name)?.effect === 'handoff');
  if (handoff) {
    const summary = typeof handoff.arguments.summary === 'string' ? handoff.arguments.summary : q.text;
    return endWith(q, { outcome: 'handoff', reason: 'handoff', answer: text('handoffNotice', q.language), handoffSummary: summary }, { incr });
  }

  const plan = planCalls(q, job.turn, calls, s.confirmation ?? null, r);
  // The calls free to start now, or the observe step when every call was answered up front.
  const ready = plan.calls.flatMap((c) => (c.job && c.pending === 0 ? [c.job] : []));
  const jobs =
    ready.length === 0
      ? [jobSpec('control', jobIds.observe(q.queryId, job.turn), { type: 'observe', queryId: q.queryId, turn: job.turn })]
      : ready.map((t) => jobSpec('tools', jobIds.toolCall(q.queryId, job.turn, t.index), t));
  return {
    from: { state: q.state, turn: job.turn },
    to: { state: follow(q.state, 'propose_tools'), turn: job.turn },
    steps: [
      {
        role: 'assistant',
        content: p.thought ?? null,
        tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } })),
      },
    ],
    events: plan.events,
    jobs,
    incr: { ...incr, toolCalls: calls.length },
    dag: { turn: job.turn, calls: plan.calls },
    // The pending confirmation changes with the step: a crash before it keeps the customer's "yes" usable.
    ...(plan.conversation ? { conversation: plan.conversation } : {}),
  };
}
