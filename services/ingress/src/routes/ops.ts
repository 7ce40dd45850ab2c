import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Keys } from '@steward/store';
import type { Authenticator } from '../auth.ts';

export interface OpsDeps {
  redis: Redis;
  keys: Keys;
  metrics: () => Promise<string>;
}

export function opsRoutes(app: FastifyInstance, deps: OpsDeps, _auth: Authenticator): void {
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await deps.redis.ping();
      return { ready: true };
    } catch {
      return reply.code(503).send({ ready: false, error: { code: 'redis_unreachable', message: 'Redis is not reachable' } });
    }
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
    return deps.metrics();
  });
}
