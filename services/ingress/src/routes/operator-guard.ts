// Who may use the operator API (archive search, transcripts, exports, erasure): an operator
// credential — ADMIN_TOKEN (Bearer or Basic) or an `operator=` API key of INGRESS_API_KEYS, the
// same test as every other operator route (auth.admin). The routes only ask "which operator is
// this?"; platform and customer keys are refused.
import type { FastifyRequest } from 'fastify';
import { parseApiKeys } from '../api-keys.ts';
import { createAuthenticator } from '../auth.ts';

export interface Operator {
  /** Recorded in the erasure audit row; no personal data. */
  name: string;
}

export type OperatorGuard = (req: FastifyRequest) => Operator | null;

/** ADMIN_TOKEN and the `operator=` keys of `apiKeys` (INGRESS_API_KEYS syntax). */
export function operatorCredentials(o: { apiKeys?: string | undefined; adminToken?: string | undefined }): OperatorGuard {
  const admin = createAuthenticator([], o.adminToken);
  const keys = createAuthenticator(parseApiKeys(o.apiKeys).filter((k) => k.principal.kind === 'operator'), undefined);
  return (req) => (admin.admin(req) ? { name: 'admin' } : keys.admin(req) ? { name: 'operator' } : null);
}

/** The admin credential alone. */
export function adminTokenOperator(adminToken: string | undefined): OperatorGuard {
  return operatorCredentials({ adminToken });
}
