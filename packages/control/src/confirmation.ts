import { confirmationKey } from './confirmation-key.ts';
import { isAffirmative } from './is-affirmative.ts';

// Confirmation of consequential actions, decided here and nowhere else. A write runs only if
//   (i)   it was proposed to the customer in an earlier agent message of the conversation that
//         listed its resolved arguments (the answer of the query that asked),
//   (ii)  the confirming customer message arrived after that message, from the same platform
//         user, and is affirmative,
//   (iii) its arguments are exactly those listed (the key is made over resolved arguments; a
//         write with unresolved `$call:` references is refused outright),
//   (iv)  no non-affirmative customer message came in between (it cancels the pending action).
// Everything is derived from what was stored, so a "no" needs no write to cancel: a later "ok"
// still sees the "no" among the messages since the question.

/** The write the customer was asked to confirm, as stored on the conversation. */
export interface PendingConfirmation {
  key: string;
  tool: string;
  args: Record<string, unknown>;
  /** The query whose answer is the agent message that asks the customer. */
  queryId: string;
  /** Platform user who was asked (group chats: another member's "yes" does not count). */
  author?: string | undefined;
}

/** One customer message of the conversation (a query), as the decision needs it. */
export interface CustomerMessage {
  queryId: string;
  text: string;
  author?: string | undefined;
  createdMs: number;
}

export interface ConfirmationInput {
  call: { name: string; args: Record<string, unknown> };
  requiresConfirmation: boolean;
  /** Arguments still hold `$call:` references (resolved only when the call runs). */
  unresolvedRefs: boolean;
  /** The customer message this query answers. */
  query: CustomerMessage;
  pending: PendingConfirmation | null;
  /** How the asking query ended: only an answer shows the customer anything. */
  asked: { answered: boolean; answer: string; completedMs: number } | null;
  /** Customer messages after the asking one up to and including `query`, oldest first. */
  since: readonly CustomerMessage[];
}

export type RefusalReason =
  | 'unresolved_reference'
  | 'not_asked'
  | 'not_shown'
  | 'not_listed'
  | 'different_action'
  | 'before_question'
  | 'other_author'
  | 'declined';

export type ConfirmationDecision =
  | { allowed: true; consumes: PendingConfirmation | null }
  /** `ask`: the pending confirmation to store so the model lists this action and asks. */
  | { allowed: false; reason: RefusalReason; ask: PendingConfirmation | null };

export function decideConfirmation(i: ConfirmationInput): ConfirmationDecision {
  if (!i.requiresConfirmation) return { allowed: true, consumes: null };
  // A key over "$call:0.order_id" says nothing about which order: refuse rather than guess.
  if (i.unresolvedRefs) return { allowed: false, reason: 'unresolved_reference', ask: null };
  const key = confirmationKey(i.call.name, i.call.args);
  const refuse = (reason: RefusalReason): ConfirmationDecision => ({
    allowed: false,
    reason,
    ask: { key, tool: i.call.name, args: i.call.args, queryId: i.query.queryId, ...(i.query.author !== undefined ? { author: i.query.author } : {}) },
  });
  const p = i.pending;
  if (!p) return refuse('not_asked');
  if (p.key !== key) return refuse('different_action');
  // Asked in this very query: the customer has not seen the question yet (issue 1a).
  if (p.queryId === i.query.queryId || !i.asked?.answered) return refuse('not_shown');
  if (!listsArguments(i.asked.answer, p.args)) return refuse('not_listed');
  if (i.query.createdMs < i.asked.completedMs) return refuse('before_question');
  const since = i.since.length > 0 ? i.since : [i.query];
  for (const m of since) {
    // Compared when both are known: an API caller that names no customer speaks for the conversation's.
    if (m.author !== undefined && p.author !== undefined && m.author !== p.author) return refuse('other_author');
    if (!isAffirmative(m.text)) return refuse('declined');
  }
  return { allowed: true, consumes: p };
}

const ID_KEY = /(^|_)ids?$|[a-z]Ids?$/;

/** The identifiers of an action (order, items, payment method) the agent's message must show. */
export function listedValues(args: Record<string, unknown>): string[] {
  const out: string[] = [];
  const visit = (k: string, v: unknown): void => {
    if (Array.isArray(v)) v.forEach((x) => visit(k, x));
    else if ((typeof v === 'string' || typeof v === 'number') && ID_KEY.test(k)) out.push(String(v).trim());
    else if (v !== null && typeof v === 'object') for (const [kk, vv] of Object.entries(v)) visit(kk, vv);
  };
  for (const [k, v] of Object.entries(args)) visit(k, v);
  return out.filter((s) => s.length > 0);
}

function listsArguments(message: string, args: Record<string, unknown>): boolean {
  return listedValues(args).every((v) => message.includes(v) || message.includes(v.replace(/^#/, '')));
}

/** What the model reads when a write used references (for the model only: English is fine). */
export const UNRESOLVED_REFERENCE_TEXT =
  'Error: this action needs the customer\'s confirmation of its exact arguments, so "$call:" references are not allowed in it. Look the values up first, list them to the customer, and call it with the literal values after the customer confirms.';
