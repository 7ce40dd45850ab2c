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

  // Human handoff: ops list the open handoffs and claim one.
  app.get('/v1/handoffs', async (req, reply) => {
    if (!auth.admin(req)) return sendError(reply, 401, 'unauthorized', 'admin credential required');
    const ids = await deps.redis.zrange(deps.keys.handoffs, '0', '199');
    const items = await Promise.all(ids.map((id) => deps.redis.hgetall(deps.keys.handoff(id))));
    return { handoffs: items.filter((h) => h.queryId) };
  });
  app.post<{ Params: { id: string }; Body: { agent?: unknown } }>('/v1/handoffs/:id/claim', async (req, reply) => {
    if (!auth.admin(req)) return sendError(reply, 401, 'unauthorized', 'admin credential required');
    const agent = typeof req.body?.agent === 'string' && req.body.agent.length <= 128 ? req.body.agent : null;
    if (!agent) return sendError(reply, 400, 'invalid_request', 'body must be {"agent": "<name>"}');
    const key = deps.keys.handoff(req.params.id);
    if (!(await deps.redis.exists(key))) return sendError(reply, 404, 'handoff_not_found', 'no such handoff');
    const claimed = await deps.redis.hsetnx(key, 'claimedBy', agent);
    if (!claimed) {
      const by = await deps.redis.hget(key, 'claimedBy');
      return sendError(reply, 409, 'already_claimed', `already claimed by ${by}`);
    }
    await deps.redis.multi().hset(key, 'claimedMs', String(Date.now())).zrem(deps.keys.handoffs, req.params.id).exec();
    return deps.redis.hgetall(key);
  });
}
