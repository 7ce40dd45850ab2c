// Who may use the operator API (archive search, transcripts, exports, erasure). Today: the
// admin credential (ADMIN_TOKEN, Bearer or Basic). This one function is where operator
// principals plug in once ingress has them: the routes only ask "which operator is this?".
import type { FastifyRequest } from 'fastify';
import { createAuthenticator } from '../auth.ts';

export interface Operator {
  /** Recorded in the erasure audit row; no personal data. */
  name: string;
}

export type OperatorGuard = (req: FastifyRequest) => Operator | null;

export function adminTokenOperator(adminToken: string | undefined): OperatorGuard {
  const auth = createAuthenticator([], adminToken);
  return (req) => (auth.admin(req) ? { name: 'admin' } : null);
}
