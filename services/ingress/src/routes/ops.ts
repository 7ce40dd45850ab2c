import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Keys } from '@steward/store';
import { sendError } from '../errors.ts';
import type { Authenticator } from '../auth.ts';
import { withRedisDeadline } from '../redis-unavailable.ts';
import { metricsGuard } from '../metrics-guard.ts';

export interface OpsDeps {
  redis: Redis;
  keys: Keys;
  metrics: () => Promise<string>;
  redisDeadlineMs: number;
  /** When set, GET /metrics needs `Authorization: Bearer <token>` (or the admin credential). */
  metricsToken?: string | undefined;
}

export function opsRoutes(app: FastifyInstance, deps: OpsDeps, auth: Authenticator): void {
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    try {
      // Bounded: a paused Redis must make the probe fail, not hang until the kubelet gives up.
      await withRedisDeadline(deps.redis.ping(), deps.redisDeadlineMs, 'readyz');
      return { ready: true };
    } catch {
      return reply.code(503).send({ ready: false, error: { code: 'redis_unreachable', message: 'Redis is not reachable' } });
    }
  });
  const metricsAllowed = metricsGuard(deps.metricsToken, auth);
  app.get('/metrics', async (req, reply) => {
    if (!metricsAllowed(req)) return sendError(reply, 401, 'unauthorized', 'metrics credential required');
    reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
    return deps.metrics();
  });
}
