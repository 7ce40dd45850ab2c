import type { FastifyRequest } from 'fastify';
import { principals, type Principal } from '@steward/store';
import { bearer, digest, matchApiKey, type ApiKeyEntry } from './api-keys.ts';
import { timingSafeEqual } from 'node:crypto';

export interface Authenticator {
  /** The principal of the request's API key (ADMIN_TOKEN counts as the operator), or null. */
  principal(req: FastifyRequest): Principal | null;
  /** Operator access: ADMIN_TOKEN (Bearer or Basic password) or an `operator=` API key. */
  admin(req: FastifyRequest): boolean;
}

export function createAuthenticator(keys: ApiKeyEntry[], adminToken: string | undefined): Authenticator {
  const adminDigest = adminToken ? digest(adminToken) : null;
  const isAdminToken = (req: FastifyRequest): boolean => {
    if (!adminDigest) return false;
    const presented = bearer(req.headers.authorization) ?? basicPassword(req.headers.authorization);
    if (!presented) return false;
    return timingSafeEqual(digest(presented), adminDigest);
  };
  const byKey = (req: FastifyRequest): Principal | null =>
    matchApiKey(keys, bearer(req.headers.authorization))?.principal ?? null;
  return {
    principal(req) {
      return byKey(req) ?? (isAdminToken(req) ? principals.operator() : null);
    },
    admin(req) {
      return isAdminToken(req) || byKey(req)?.kind === 'operator';
    },
  };
}

function basicPassword(h: string | undefined): string | undefined {
  const m = h ? /^Basic\s+(.+)$/i.exec(h) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i >= 0 ? decoded.slice(i + 1) : undefined;
}
