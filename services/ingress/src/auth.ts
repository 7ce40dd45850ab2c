import type { FastifyRequest } from 'fastify';
import { bearer, matchApiKey, type ApiKeyEntry } from './api-keys.ts';
import { createHash, timingSafeEqual } from 'node:crypto';

export interface Caller {
  channel: string | null;
}

export interface Authenticator {
  caller(req: FastifyRequest): Caller | null;
  admin(req: FastifyRequest): boolean;
}

export function createAuthenticator(keys: ApiKeyEntry[], adminToken: string | undefined): Authenticator {
  const adminDigest = adminToken ? createHash('sha256').update(adminToken).digest() : null;
  return {
    caller(req) {
      const e = matchApiKey(keys, bearer(req.headers.authorization));
      return e ? { channel: e.channel } : null;
    },
    admin(req) {
      if (!adminDigest) return false;
      const presented = bearer(req.headers.authorization) ?? basicPassword(req.headers.authorization);
      if (!presented) return false;
      return timingSafeEqual(createHash('sha256').update(presented).digest(), adminDigest);
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
