import Fastify, { type FastifyInstance } from 'fastify';
import type { StewardEvent } from '@steward/core';
import type { ObservationBuffer } from '@steward/telemetry';
import type { Authenticator } from './auth.ts';
import { mapFrameworkError, sendError } from './errors.ts';
import { INGRESS_LIMITS } from './ingress-limits.ts';
import { isRedisUnavailable } from './redis-unavailable.ts';
import { Outbox, type IntakeDeps } from '@steward/store';
import type { LiveEvents } from './live-events.ts';
import { messageRoutes } from './routes/messages.ts';
import { opsRoutes } from './routes/ops.ts';
import { queryRoutes, type DebugTraceContext } from './routes/queries.ts';
import { handoffRoutes } from './routes/handoffs.ts';
import { conversationEventRoutes } from './routes/conversation-events.ts';
import { inboxRoutes } from './inbox/inbox.ts';

export interface AppDeps extends IntakeDeps {
  auth: Authenticator;
  live: LiveEvents;
  debugTrace: (events: StewardEvent[], ctx?: DebugTraceContext) => unknown;
  metrics: () => Promise<string>;
  /** Where the message route's ack times go (steward_ingress_ack_seconds); none when unset. */
  acks?: ObservationBuffer;
  bodyLimit?: number;
  logger?: boolean;
  /** Backstop for the Redis work of one request (default INGRESS_LIMITS.intakeDeadlineMs). */
  redisDeadlineMs?: number;
  /** Bearer token for GET /metrics; open when unset (scraped inside a private network). */
  metricsToken?: string;
  /** Extra routes (channel adapters, web chat, admin UI) registered by the service. */
  plugins?: ((app: FastifyInstance) => Promise<void> | void)[];
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    // Ids come from us; a platform's request id header is not trusted as ours.
    genReqId: () => Math.random().toString(36).slice(2, 12),
  });
  app.setErrorHandler((err, _req, reply) => {
    if (isRedisUnavailable(err)) {
      reply.header('retry-after', String(INGRESS_LIMITS.redisRetryAfterSec));
      return sendError(reply, 503, 'redis_unavailable', 'the service is temporarily unavailable; retry later');
    }
    const e = mapFrameworkError(err as { code?: string; statusCode?: number; message: string });
    if (e.status >= 500) app.log.error({ err: (err as Error).message }, 'unhandled error');
    return sendError(reply, e.status, e.code, e.message);
  });
  app.setNotFoundHandler((_req, reply) => sendError(reply, 404, 'not_found', 'no such route'));
  const redisDeadlineMs = deps.redisDeadlineMs ?? INGRESS_LIMITS.intakeDeadlineMs;
  messageRoutes(app, deps, deps.auth, redisDeadlineMs, deps.acks);
  queryRoutes(app, deps, deps.auth);
  opsRoutes(app, { ...deps, redisDeadlineMs }, deps.auth);
  handoffRoutes(app, { redis: deps.redis, keys: deps.keys, outbox: new Outbox(deps.redis, deps.keys, deps.queues), live: deps.live }, deps.auth);
  conversationEventRoutes(app, deps, deps.auth);
  inboxRoutes(app);
  for (const p of deps.plugins ?? []) await p(app);
  return app;
}
