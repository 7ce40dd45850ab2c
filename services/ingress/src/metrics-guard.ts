import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { bearer } from './api-keys.ts';
import type { Authenticator } from './auth.ts';

/**
 * Who may read /metrics. Without a token it stays open, as Prometheus scrapes it inside a private
 * network; with one, the bearer token (compared in constant time) or the admin credential.
 * Metrics reveal traffic, costs and customer volumes: on a public ingress, set METRICS_TOKEN.
 */
export function metricsGuard(token: string | undefined, auth: Authenticator): (req: FastifyRequest) => boolean {
  if (!token) return () => true;
  const digest = createHash('sha256').update(token).digest();
  return (req) => {
    const presented = bearer(req.headers.authorization);
    if (presented !== undefined && timingSafeEqual(createHash('sha256').update(presented).digest(), digest)) return true;
    return auth.admin(req);
  };
}
