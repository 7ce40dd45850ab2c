import type { FastifyInstance } from 'fastify';
import type { RetentionSettings, StewardEvent } from '@steward/core';
import { DEFAULTS } from '@steward/core';
import { QueryStore, createKeys, createQueues, createRedis, type Log } from '@steward/store';
import { ObservationBuffer } from '@steward/telemetry';
import { parseApiKeys } from './api-keys.ts';
import { buildApp } from './app.ts';
import { createAuthenticator } from './auth.ts';
import { LiveEvents } from './live-events.ts';
import { mountAdminQueues } from './admin-queues.ts';
import { INGRESS_LIMITS } from './ingress-limits.ts';
import type { IntakeDeps } from '@steward/store';
import type { DebugTraceContext } from './routes/queries.ts';

export interface IngressOptions {
  redisUrl: string;
  prefix: string;
  port: number;
  host?: string;
  apiKeys: string;
  adminToken?: string;
  deadlineMs?: number;
  /** How long a finished query and an idle conversation stay in Redis (QUERY_DONE_TTL_SEC, CONVERSATION_IDLE_TTL_SEC). */
  retention?: RetentionSettings;
  log: Log;
  debugTrace: (events: StewardEvent[], ctx?: DebugTraceContext) => unknown;
  metrics: (ctx: { redis: import('ioredis').Redis; queues: import('@steward/store').Queues }) => Promise<string>;
  plugins?: ((app: FastifyInstance, ctx: IngressContext) => Promise<void> | void)[];
  admit?: IntakeDeps['admit'];
  doubleTexting?: IntakeDeps['doubleTexting'];
  bodyLimit?: number;
  /** Per-command timeout of the ingress's Redis connections (default 2 s). */
  redisCommandTimeoutMs?: number;
  /** Backstop for the Redis work of one request (default 5 s). */
  redisDeadlineMs?: number;
  /** Bearer token required on GET /metrics (METRICS_TOKEN); open when unset. */
  metricsToken?: string;
  /** Caps of the event streams (SSE): per principal, per process, lifetime. */
  streams?: Partial<import('./live-events.ts').StreamLimits>;
}

/** What ingress plugins (channel adapters) get: the intake's dependencies. */
export type IngressContext = IntakeDeps;

export interface RunningIngress {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startIngress(o: IngressOptions): Promise<RunningIngress> {
  // Commands fail after a bound instead of waiting on a stalled Redis (the request path answers
  // 503); reconnection after a real outage is still ioredis's own retry strategy.
  const commandTimeout = o.redisCommandTimeoutMs ?? INGRESS_LIMITS.redisCommandTimeoutMs;
  const redis = createRedis(o.redisUrl, { commandTimeout });
  const sub = createRedis(o.redisUrl, { commandTimeout });
  const keys = createKeys(o.prefix);
  const queues = createQueues(redis, o.prefix);
  const queries = new QueryStore(redis, keys, o.retention);
  const deadlineMs = o.deadlineMs ?? DEFAULTS.deadlineMs;
  const ctx: IngressContext = {
    redis,
    keys,
    queries,
    queues,
    deadlineMs,
    ...(o.admit ? { admit: o.admit } : {}),
    ...(o.doubleTexting ? { doubleTexting: o.doubleTexting } : {}),
  };
  // Ack times into the fleet-wide histogram, summed here and written once a second.
  const acks = new ObservationBuffer(redis, o.prefix);
  const auth = createAuthenticator(parseApiKeys(o.apiKeys), o.adminToken);
  const app = await buildApp({
    ...ctx,
    auth,
    live: new LiveEvents(sub, keys, o.streams),
    debugTrace: o.debugTrace,
    metrics: () => o.metrics({ redis, queues }),
    acks,
    ...(o.bodyLimit ? { bodyLimit: o.bodyLimit } : {}),
    ...(o.redisDeadlineMs ? { redisDeadlineMs: o.redisDeadlineMs } : {}),
    ...(o.metricsToken ? { metricsToken: o.metricsToken } : {}),
    plugins: [
      ...(o.adminToken ? [(app: FastifyInstance) => mountAdminQueues(app, queues, auth)] : []),
      ...(o.plugins ?? []).map((p) => (app: FastifyInstance) => p(app, ctx)),
    ],
  });
  const address = await app.listen({ port: o.port, host: o.host ?? '0.0.0.0' });
  o.log.info({ address }, 'ingress listening');
  return {
    url: address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1'),
    app,
    async close() {
      await app.close();
      await acks.flush().catch(() => undefined);
      await queues.close();
      redis.disconnect();
      sub.disconnect();
    },
  };
}
