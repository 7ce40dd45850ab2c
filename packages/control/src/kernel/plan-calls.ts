import { text, type ProposedCall, type ToolJob } from '@steward/core';
import { collectRefs, planTurn } from '@steward/tools';
import { decideConfirmation, UNRESOLVED_REFERENCE_TEXT, type CustomerMessage, type PendingConfirmation } from '../confirmation.ts';
import type { CallResult, PlannedCall } from './call-result.ts';
import type { Decision, KernelRules, QuerySnapshot, Transition } from './transition.ts';

/** What the confirmation decision reads, loaded by the binding when a guarded write is proposed. */
export interface ConfirmationSnapshot {
  pending: PendingConfirmation | null;
  asked: { answered: boolean; answer: string; completedMs: number } | null;
  since: CustomerMessage[];
}

/** A write the customer must confirm first (only these need the confirmation snapshot). */
export function isGuarded(c: ProposedCall, r: Pick<KernelRules, 'requireConfirmation' | 'tools'>): boolean {
  return !c.error && r.requireConfirmation && r.tools.get(c.name)?.requiresConfirmation === true;
}

/** The customer message a query answers, as the confirmation decision sees it. */
export function customerMessageOf(q: Pick<QuerySnapshot, 'queryId' | 'text' | 'customerId' | 'createdMs'>): CustomerMessage {
  return { queryId: q.queryId, text: q.text, author: q.customerId, createdMs: q.createdMs };
}

/**
 * A turn's tool DAG. Calls that cannot run (unknown tool, bad arguments, a write the customer
 * has not confirmed, a bad `$call:` reference) are answered now with the text the model must
 * read and a structured type; the others wait for their own dependencies only.
 */
export function planCalls(
  q: QuerySnapshot,
  turn: number,
  calls: readonly ProposedCall[],
  confirmation: ConfirmationSnapshot | null,
  r: KernelRules,
): { calls: PlannedCall[]; conversation: Transition['conversation']; events: Decision[] } {
  const pre: (CallResult | undefined)[] = [];
  const events: Decision[] = [];
  const snap = confirmation ?? { pending: null, asked: null, since: [] };
  let ask: PendingConfirmation | null = null;
  let consumed = false;
  for (const [i, c] of calls.entries()) {
    if (c.error) {
      // The reasoning-worker's validation text, as the model must read it; its type for the logic.
      const unknown = c.errorType === 'unknown_tool';
      pre.push({ name: c.name, callId: c.id, result: unknown ? c.error : `Error: ${c.error}`, ok: false, errorType: unknown ? 'unknown_tool' : 'invalid_arguments' });
      continue;
    }
    if (isGuarded(c, r)) {
      const verdict = decideConfirmation({
        call: { name: c.name, args: c.arguments },
        requiresConfirmation: true,
        unresolvedRefs: collectRefs(c.arguments).length > 0,
        query: customerMessageOf(q),
        ...snap,
      });
      if (!verdict.allowed) {
        ask = verdict.ask ?? ask;
        events.push({ kind: `confirmation_c${i}`, detail: `${c.name}: refused (${verdict.reason})`, turn });
        const unresolved = verdict.reason === 'unresolved_reference';
        const result = unresolved ? UNRESOLVED_REFERENCE_TEXT : text('confirmationRequired', q.language);
        pre.push({ name: c.name, callId: c.id, result, ok: false, errorType: unresolved ? 'unresolved_reference' : 'confirmation_required' });
        continue;
      }
      consumed = true;
    }
    pre.push(undefined);
  }
  // One pending action per conversation: the latest refused one (the model asks about it); a
  // confirmed action is used once, another one needs another yes. Applied with the step.
  const conversation = ask
    ? { id: q.conversationId, set: { pendingConfirmation: JSON.stringify(ask) } }
    : consumed
      ? { id: q.conversationId, del: ['pendingConfirmation'] }
      : undefined;

  // Plan every call, pre-answered ones marked skipped, so "$call:<i>" references keep the
  // indexes the model wrote.
  const plan = planTurn(
    r.tools,
    calls.map((c, i) => ({ name: c.name, arguments: c.arguments, ...(pre[i] ? { error: pre[i].result } : {}) })),
  );
  const deps: number[][] = calls.map(() => []);
  const dependents: number[][] = calls.map(() => []);
  if (plan.ok) {
    for (const pc of plan.plan.calls) {
      if (pc.skip && !pre[pc.index]) pre[pc.index] = { name: pc.name, callId: calls[pc.index]!.id, result: `Error: ${pc.skip}`, ok: false, errorType: 'invalid_call_ref' };
      deps[pc.index] = pc.dependsOn;
      dependents[pc.index] = pc.dependents;
    }
  } else {
    // A cycle through explicit references: refuse those calls rather than hang the turn.
    calls.forEach((c, i) => (pre[i] ??= { name: c.name, callId: c.id, result: `Error: ${plan.error}`, ok: false, errorType: 'invalid_call_ref' }));
  }
  const planned = calls.map((c, i): PlannedCall => {
    const result = pre[i];
    if (result) return { pending: 0, dependents: [], result };
    const job: ToolJob = {
      queryId: q.queryId,
      conversationId: q.conversationId,
      turn,
      index: i,
      callId: c.id,
      name: c.name,
      arguments: c.arguments,
      dependsOn: deps[i]!,
    };
    return { pending: deps[i]!.filter((j) => !pre[j]).length, dependents: dependents[i]!, job };
  });
  return { calls: planned, conversation, events };
}
