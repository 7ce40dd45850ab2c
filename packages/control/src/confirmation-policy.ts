import { confirmationKey } from './confirmation-key.ts';
import { isAffirmative } from './is-affirmative.ts';

// The flow this decides, for a tool with requiresConfirmation:
//   1. The model calls it. No confirmation is pending → refused: the controller stores
//      `pendingKey` on the conversation and feeds TEXTS.confirmationRequired back to the model,
//      which lists the exact action to the customer and asks.
//   2. The customer replies; in the next query the model calls the tool again.
//   3. Allowed only if the call has the same key as the pending one (the same action that was
//      listed) AND the customer's latest message is an explicit yes. Anything else is refused
//      and the new key becomes the pending one (a changed action needs a new confirmation).

export interface ConfirmationInput {
  toolName: string;
  args: Record<string, unknown>;
  requiresConfirmation: boolean;
  /** The key stored when confirmation was last asked for, if any. */
  pendingKey?: string | null;
  /** The customer's latest message (the one that started this query). */
  customerReply?: string | null;
}

export type ConfirmationDecision =
  | { allowed: true; key?: string }
  | { allowed: false; key: string; reason: 'not_asked' | 'different_action' | 'not_affirmative' };

export function decideConfirmation(input: ConfirmationInput): ConfirmationDecision {
  if (!input.requiresConfirmation) return { allowed: true };
  const key = confirmationKey(input.toolName, input.args);
  if (input.pendingKey === undefined || input.pendingKey === null) return { allowed: false, key, reason: 'not_asked' };
  if (input.pendingKey !== key) return { allowed: false, key, reason: 'different_action' };
  if (!isAffirmative(input.customerReply ?? '')) return { allowed: false, key, reason: 'not_affirmative' };
  return { allowed: true, key };
}
