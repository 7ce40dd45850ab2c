// Who the customer is. Identity comes from the system prompt (set by the platform or an
// earlier verification) or from the identification tools with what the customer told us.
import { findEmail, findNameZip } from '../intents.ts';
import { R } from '../replies.ts';
import { isError, parseUserId } from '../tool-results.ts';
import { answer, call, findStep, fromCustomer, ok, stop, type Got, type PolicyContext } from './types.ts';

/** The verified user id, null when the prompt does not require verification, or the step to take first. */
export function identify(ctx: PolicyContext): Got<string | null> {
  if (ctx.verified !== null) return ok(ctx.verified ?? null);
  const tried = ctx.steps.filter((s) => s.name === 'find_user_id_by_email' || s.name === 'find_user_id_by_name_zip');
  for (const s of [...tried].reverse()) {
    const id = s.result === undefined ? undefined : parseUserId(s.result);
    if (id) return ok(id);
  }
  // The tool-worker locked verification after too many failures: refuse politely, offer a human.
  if (tried.some((s) => s.result?.includes('identity verification is locked'))) {
    return stop(answer(R.identityLocked(ctx.language), 'Identity verification is locked for this conversation; offer a human agent.'));
  }
  const canEmail = ctx.tools.has('find_user_id_by_email');
  const canName = ctx.tools.has('find_user_id_by_name_zip');
  // Without identification tools the backend decides what this conversation may see.
  if (!canEmail && !canName) return ok(null);
  const email = fromCustomer(ctx, findEmail);
  if (email && canEmail && !findStep(ctx, 'find_user_id_by_email', { email })) {
    return stop(call('find_user_id_by_email', { email }, 'The customer is not verified yet; look up the account by the email they gave.'));
  }
  const nameZip = fromCustomer(ctx, findNameZip);
  if (nameZip && canName && !findStep(ctx, 'find_user_id_by_name_zip', { ...nameZip })) {
    return stop(call('find_user_id_by_name_zip', { ...nameZip }, 'The customer is not verified yet; look up the account by name and zip.'));
  }
  if (tried.some((s) => s.result !== undefined && isError(s.result))) {
    return stop(answer(R.userNotFound(ctx.language), 'The account lookup failed; ask the customer to check their details.'));
  }
  return stop(answer(R.askIdentity(ctx.language), 'This request needs customer data and the customer is not verified: ask for email or name + zip.'));
}
