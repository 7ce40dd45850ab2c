// Who answers a conversation, and what an operator may do with a handoff: pure decisions the
// intake, the controller and the ingress operator routes share, applied atomically by the store.
import type { EndReason, QueryOutcome } from '@steward/core';

/** `person`: an operator owns the conversation; the agent answers nothing in it. */
export type ConversationOwner = 'agent' | 'person';

/** open (waiting for an operator) → claimed (an operator answers) → resolved | returned (to the agent). */
export type HandoffState = 'open' | 'claimed' | 'resolved' | 'returned';
export const HANDOFF_STATES: readonly HandoffState[] = ['open', 'claimed', 'resolved', 'returned'];

/** Where a customer message goes: to a new query of the agent, or to the person who owns the conversation. */
export function routeCustomerMessage(owner: ConversationOwner | undefined): 'agent' | 'person' {
  return owner === 'person' ? 'person' : 'agent';
}

/**
 * Whether a query's ending hands the conversation to a person: the customer asked for one
 * (the handoff tool), or the controller stopped a loop it could not break. Limits that merely
 * ran out (deadline, turns) end with a fallback the customer can answer, so they do not.
 */
export function endingHandsOff(end: { outcome: QueryOutcome; reason: EndReason }): boolean {
  return end.outcome === 'handoff' || end.reason === 'loop_detected';
}

export type OperatorAction =
  | { type: 'claim'; operator: string }
  | { type: 'reply'; operator: string }
  | { type: 'note'; operator: string }
  | { type: 'transfer'; operator: string; to: string }
  | { type: 'resolve'; operator: string }
  | { type: 'hand_back'; operator: string };

export interface HandoffSnapshot {
  state: HandoffState;
  claimedBy?: string | undefined;
}

export type OperatorDecision =
  /** `to`/`claimedBy`: the record after the action (unchanged for reply and note). */
  | { ok: true; to: HandoffState; claimedBy?: string; releasesConversation: boolean }
  | { ok: false; code: 'not_claimed' | 'already_claimed' | 'not_owner' | 'closed'; message: string };

/**
 * One operator action against the handoff as it stands. Replying, transferring, resolving and
 * handing back need the claim (so two people never answer one customer); a note does not.
 * Resolving and handing back both give the conversation back to the agent: a resolved
 * conversation's next message is a new question.
 */
export function decideOperatorAction(h: HandoffSnapshot, a: OperatorAction): OperatorDecision {
  if (h.state === 'resolved' || h.state === 'returned') {
    return { ok: false, code: 'closed', message: `the handoff is already ${h.state}` };
  }
  if (a.type === 'note') return { ok: true, to: h.state, ...(h.claimedBy ? { claimedBy: h.claimedBy } : {}), releasesConversation: false };
  if (a.type === 'claim') {
    if (h.state === 'claimed') {
      return h.claimedBy === a.operator
        ? { ok: true, to: 'claimed', claimedBy: a.operator, releasesConversation: false }
        : { ok: false, code: 'already_claimed', message: `already claimed by ${h.claimedBy ?? 'another operator'}` };
    }
    return { ok: true, to: 'claimed', claimedBy: a.operator, releasesConversation: false };
  }
  if (h.state !== 'claimed') return { ok: false, code: 'not_claimed', message: 'claim the handoff first' };
  if (h.claimedBy !== a.operator) return { ok: false, code: 'not_owner', message: `claimed by ${h.claimedBy ?? 'another operator'}` };
  switch (a.type) {
    case 'reply':
      return { ok: true, to: 'claimed', claimedBy: a.operator, releasesConversation: false };
    case 'transfer':
      return { ok: true, to: 'claimed', claimedBy: a.to, releasesConversation: false };
    case 'resolve':
      return { ok: true, to: 'resolved', claimedBy: a.operator, releasesConversation: true };
    case 'hand_back':
      return { ok: true, to: 'returned', claimedBy: a.operator, releasesConversation: true };
  }
}
