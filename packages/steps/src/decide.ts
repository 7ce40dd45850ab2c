import { jobIds, type DecideJob } from '@steward/core';
import { awaitsProposal, isGuarded, onProposal, type ProposalSnapshot } from '@steward/control';
import { crashPoint, type QueryRecord } from '@steward/store';
import { recordCostAndCheck } from '@steward/llm/ledger';
import { applyTransition, rulesOf } from './apply.ts';
import type { StepDeps } from './deps.ts';
import { loadConfirmationSnapshot } from './confirmation-snapshot.ts';

/**
 * The reasoning-worker's proposal for a turn: load → the kernel's onProposal → apply.
 * Idempotent: a redelivered decide for a turn that already moved on changes nothing (its jobs
 * were committed with the step: relayed, or the sweeper's).
 */
export async function handleDecide(d: StepDeps, job: DecideJob): Promise<void> {
  const q = await d.queries.get(job.queryId);
  crashPoint('decide.after_load');
  if (!q || !awaitsProposal(q, job.turn)) return;
  const rules = rulesOf(d);
  const guarded = job.proposal.kind === 'tool_calls' && job.proposal.calls.some((c) => isGuarded(c, rules));
  // The cost recording and (for a write) the confirmation state touch different keys: read at once.
  const [budget, confirmation] = await Promise.all([loadBudget(d, q, job), guarded ? loadConfirmationSnapshot(d, q) : undefined]);
  const snapshot: ProposalSnapshot = { query: q, nowMs: d.now?.() ?? Date.now(), ...budget };
  if (confirmation) snapshot.confirmation = confirmation;
  const t = onProposal(snapshot, job, rules);
  crashPoint('decide.after_transition');
  if (t) await applyTransition(d, q, t);
}

/**
 * Record the turn's cost (per query, conversation and customer-day; the reasoning job id makes
 * it once-only) and read the budgets after it. No usage reported: nothing to check.
 */
async function loadBudget(d: StepDeps, q: QueryRecord, job: DecideJob): Promise<Pick<ProposalSnapshot, 'budget'>> {
  const u = job.usage;
  if (!u) return {};
  // Recorded and checked in one script, which also reads the conversation's verified customer
  // for the per-customer entry: the check sees this call's spend, and it is one round trip.
  const { budget: b } = await recordCostAndCheck(
    d.redis,
    d.keys.prefix,
    {
      queryId: q.queryId,
      conversationId: q.conversationId,
      customerFrom: { key: d.keys.conversation(q.conversationId), field: 'customerId' },
      usd: u.costUsd,
      inputTokens: u.inputTokens,
      outputTokens: u.outputTokens,
      callId: jobIds.reason(q.queryId, job.turn),
    },
    d.budgets,
  );
  return { budget: b.ok ? { ok: true } : { ok: false, exceeded: b.exceeded } };
}
