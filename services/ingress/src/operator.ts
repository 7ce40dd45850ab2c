import type { FastifyRequest } from 'fastify';
import type { Authenticator } from './auth.ts';

export interface Operator {
  /** Who acts, as recorded on the handoff (claimedBy, notes, replies). */
  name: string;
}

/**
 * The one gate of every operator route. Today an operator is whoever holds ADMIN_TOKEN and names
 * themselves (`x-operator` header or `operator` in the body); when operator principals arrive
 * (`operator=` API keys) this function alone changes to take the name from the principal.
 */
export function requireOperator(req: FastifyRequest, auth: Authenticator, claimed?: unknown): Operator | null {
  if (!auth.admin(req)) return null;
  const header = req.headers['x-operator'];
  const raw = typeof claimed === 'string' ? claimed : Array.isArray(header) ? header[0] : header;
  const name = typeof raw === 'string' && /^[\p{L}\p{N} ._@-]{1,64}$/u.test(raw) ? raw : 'operator';
  return { name };
}
