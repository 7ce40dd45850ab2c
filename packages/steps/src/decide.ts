import { jobIds, type DecideJob } from '@steward/core';
import { awaitsProposal, isGuarded, onProposal, type ConfirmationSnapshot, type ProposalSnapshot, type Transition } from '@steward/control';
import { crashPoint, memberOf, type QueryRecord } from '@steward/store';
import { recordCostAndCheck, type BudgetCheck, type CostRecord } from '@steward/llm/ledger';
import { applyTransition, rulesOf } from './apply.ts';
import type { StepDeps } from './deps.ts';
import { loadConfirmationSnapshot, type ConfirmationReads } from './confirmation-snapshot.ts';
import { handleObserve } from './observe.ts';

/** A turn's proposal as the step takes it (the decide job's payload, wherever it comes from). */
export type ProposalInput = Pick<DecideJob, 'queryId' | 'turn' | 'proposal' | 'usage'>;

/**
 * The reasoning-worker's proposal for a turn: load → the kernel's onProposal → apply.
 * Idempotent: a redelivered decide for a turn that already moved on changes nothing (its jobs
 * were committed with the step: relayed, or the sweeper's).
 */
export async function handleDecide(d: StepDeps, job: DecideJob): Promise<void> {
  const q = await d.queries.get(job.queryId);
  crashPoint('decide.after_load');
  if (!q || !awaitsProposal(q, job.turn)) return;
  await decideOn(d, q, job, await loadInputs(d, q, job));
}

/**
 * The same step, taken in the process where the proposal arrives (the reasoning-worker, right
 * after its model call). `known` is the query as loaded before the call: only its fixed fields
 * (ids, text, language, creation) are used to send the cost record and the confirmation reads,
 * which go out in the same round trip as a fresh read of the query. The decision is taken on
 * that fresh read, so a deadline or a take-over that ended the query during the model call
 * wins here, and the apply scripts compare-and-set on the state it came from in any case.
 * 'moved': the query no longer waits for this turn's proposal; nothing was applied.
 * `fresh`: that read when the caller makes it itself, in a script it sends anyway (the
 * reasoning-worker's llm.call event); else the step reads the query here.
 * `costChecked`: the turn's cost already recorded (costRecordOf's record, by the same ledger
 * script) and its budget checked, in that same script; else the step records it here.
 * `confirmationRead`: the confirmation snapshot's first reads, made in that same script when
 * needsConfirmationReads says the step will want them; else the step reads them here.
 */
export async function decideWhereProposed(
  d: StepDeps,
  known: QueryRecord,
  p: ProposalInput,
  fresh?: Promise<QueryRecord | null>,
  costChecked?: Promise<BudgetCheck | undefined>,
  confirmationRead?: Promise<ConfirmationReads>,
): Promise<'applied' | 'moved' | 'ended'> {
  const [q, inputs] = await Promise.all([fresh ?? d.queries.get(p.queryId), loadInputs(d, known, p, costChecked, confirmationRead)]);
  crashPoint('decide.after_load');
  if (!q || !awaitsProposal(q, p.turn)) return 'moved';
  return decideOn(d, q, p, inputs);
}

interface Inputs {
  budget: Pick<ProposalSnapshot, 'budget'>;
  confirmation: ConfirmationSnapshot | undefined;
}

/** The cost recording and (for a write) the confirmation state touch different keys: read at once. */
async function loadInputs(
  d: StepDeps,
  q: QueryRecord,
  p: ProposalInput,
  costChecked?: Promise<BudgetCheck | undefined>,
  confirmationRead?: Promise<ConfirmationReads>,
): Promise<Inputs> {
  const budget = costChecked ? costChecked.then(budgetOf) : loadBudget(d, q, p);
  const [b, confirmation] = await Promise.all([budget, needsConfirmationReads(d, p) ? loadConfirmationSnapshot(d, q, confirmationRead) : undefined]);
  return { budget: b, confirmation };
}

/** Whether the step on this proposal reads the confirmation state: a write the policy guards. */
export function needsConfirmationReads(d: StepDeps, p: Pick<ProposalInput, 'proposal'>): boolean {
  return p.proposal.kind === 'tool_calls' && p.proposal.calls.some((c) => isGuarded(c, rulesOf(d)));
}

/** The snapshot's view of a budget check (none when no usage was reported). */
function budgetOf(b: BudgetCheck | undefined): Pick<ProposalSnapshot, 'budget'> {
  if (!b) return {};
  return { budget: b.ok ? { ok: true } : { ok: false, exceeded: b.exceeded } };
}

/**
 * The turn's cost record (per query, conversation and the conversation's verified customer's
 * day; the reasoning job id makes it once-only), or undefined when no usage was reported. One
 * definition for the step's own recording and a caller's script that records it (costChecked).
 */
export function costRecordOf(d: StepDeps, q: Pick<QueryRecord, 'queryId' | 'conversationId'>, p: Pick<ProposalInput, 'turn' | 'usage'>): CostRecord | undefined {
  const u = p.usage;
  if (!u) return undefined;
  return {
    queryId: q.queryId,
    conversationId: q.conversationId,
    customerFrom: { key: d.keys.conversation(q.conversationId), field: 'customerId' },
    usd: u.costUsd,
    inputTokens: u.inputTokens,
    outputTokens: u.outputTokens,
    callId: jobIds.reason(q.queryId, p.turn),
  };
}

async function decideOn(d: StepDeps, q: QueryRecord, p: ProposalInput, inputs: Inputs): Promise<'applied' | 'moved' | 'ended'> {
  const snapshot: ProposalSnapshot = { query: q, nowMs: d.now?.() ?? Date.now(), ...inputs.budget };
  if (inputs.confirmation) snapshot.confirmation = inputs.confirmation;
  const t = onProposal(snapshot, p, rulesOf(d));
  crashPoint('decide.after_transition');
  if (!t) return 'moved';
  const observe = observedUpFront(t);
  if (!observe) return applyTransition(d, q, t);
  const r = await applyTransition(d, q, t, [observe]);
  if (r === 'applied') await observeInPlace(d, q, p.turn, observe);
  return r;
}

/**
 * The outbox member of the turn's observe job when the decision answered every call up front
 * (a write refused by the confirmation policy, an unknown tool, invalid arguments): the turn
 * has nothing to run, its observe step is all that is left. Else undefined.
 */
export function observedUpFront(t: Transition): string | undefined {
  const [only, ...rest] = t.jobs;
  if (t.completion || rest.length || only?.queue !== 'control' || (only.data as { type?: string }).type !== 'observe') return undefined;
  return memberOf(only);
}

/**
 * Take the turn's observe step here, right after the decision, instead of through a job on the
 * control queue (one control job and one controller hop less per such turn). Exactly once and
 * crash-safe: the observe job is committed in the outbox with the decision, as before, and only
 * held back from the relay. A crash between the decision's commit and the end of this step
 * leaves it there: the sweeper relays it after its grace and the controller takes the step (the
 * redelivered reasoning job finds the query acting and does nothing, so it is not the one). If
 * the step here came first, that relayed observe finds the query moved on and changes nothing
 * (the step's script compare-and-sets on the turn's state, so one of them applies). A step that
 * fails here hands the job to the controller at once; one taken drops the held entry.
 */
async function observeInPlace(d: StepDeps, q: QueryRecord, turn: number, member: string): Promise<void> {
  try {
    await handleObserve(d, { type: 'observe', queryId: q.queryId, turn, conversationId: q.conversationId });
  } catch (err) {
    await d.outbox.relay([member]).catch(() => undefined);
    throw err;
  }
  await d.outbox.drop([member]);
}

/**
 * Record the turn's cost (per query, conversation and customer-day; the reasoning job id makes
 * it once-only) and read the budgets after it. No usage reported: nothing to check.
 */
async function loadBudget(d: StepDeps, q: QueryRecord, p: ProposalInput): Promise<Pick<ProposalSnapshot, 'budget'>> {
  const rec = costRecordOf(d, q, p);
  if (!rec) return {};
  // Recorded and checked in one script, which also reads the conversation's verified customer
  // for the per-customer entry: the check sees this call's spend, and it is one round trip.
  const { budget: b } = await recordCostAndCheck(d.redis, d.keys.prefix, rec, d.budgets);
  return budgetOf(b);
}
