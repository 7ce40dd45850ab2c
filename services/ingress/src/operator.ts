import type { FastifyRequest } from 'fastify';
import type { Authenticator } from './auth.ts';

export interface Operator {
  /** Who acts, as recorded on the handoff (claimedBy, notes, replies). */
  name: string;
}

/**
 * The one gate of every operator route: the operator credential (ADMIN_TOKEN or an `operator=`
 * API key, see auth.ts), and the name the person gives (`x-operator` header or `operator` in the
 * body) for the handoff's record (claimedBy, notes, replies).
 */
export function requireOperator(req: FastifyRequest, auth: Authenticator, claimed?: unknown): Operator | null {
  if (!auth.admin(req)) return null;
  const header = req.headers['x-operator'];
  const raw = typeof claimed === 'string' ? claimed : Array.isArray(header) ? header[0] : header;
  const name = typeof raw === 'string' && /^[\p{L}\p{N} ._@-]{1,64}$/u.test(raw) ? raw : 'operator';
  return { name };
}
