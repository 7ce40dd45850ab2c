// ingress as its own process: the v1 HTTP API.
import { z } from 'zod';
import { CommonEnv, DEFAULTS, intFromEnv, parseEnv } from '@steward/core';
import { onShutdown } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { generateApiKey } from './api-keys.ts';
import { debugTraceOf, renderMetrics } from './observability.ts';
import { admissionOptionsFromEnv, channelPluginsFromEnv, deliveryStats, renderDeliveryMetrics, startAdmission } from '@steward/channels';
import { startIngress } from './service.ts';
import { createDb, loadArchiveConfig } from '@steward/archive';
import { archiveRoutes } from './routes/archive.ts';
import { adminTokenOperator } from './routes/operator-guard.ts';

const env = parseEnv(
  CommonEnv.extend({
    PORT: intFromEnv(DEFAULTS.ports.ingress),
    INGRESS_API_KEYS: z.string().optional(),
    ADMIN_TOKEN: z.string().optional(),
    QUERY_DEADLINE_MS: intFromEnv(DEFAULTS.deadlineMs),
    BODY_LIMIT_BYTES: intFromEnv(64 * 1024),
    JAEGER_URL: z.string().default('http://localhost:16686'),
    DOUBLE_TEXTING: z.enum(['queue', 'restart']).default('queue'),
  }),
);
const log = createLogger({ service: 'ingress', level: env.LOG_LEVEL, redact: env.REDACT_PII });
let apiKeys = env.INGRESS_API_KEYS;
if (!apiKeys) {
  apiKeys = generateApiKey();
  // Printed once on stdout for the operator; never logged through the structured logger.
  process.stdout.write(`INGRESS_API_KEYS is not set: generated API key for this run: ${apiKeys}\n`);
}
// Backpressure: per-customer and per-channel token buckets and the reasoning backlog (RATE_*, MAX_REASONING_BACKLOG).
const admission = await startAdmission({ redisUrl: env.REDIS_URL, prefix: env.REDIS_PREFIX, ...admissionOptionsFromEnv() });
// The archive (DATABASE_URL) adds the operator API over PostgreSQL; erasure works without it too.
const archiveCfg = loadArchiveConfig();
const archiveDb = archiveCfg.DATABASE_URL ? createDb(archiveCfg.DATABASE_URL, archiveCfg.ARCHIVE_SCHEMA) : undefined;
const debugTrace = (events: Parameters<typeof debugTraceOf>[0]) => debugTraceOf(events, { redact: env.REDACT_PII, jaegerUrl: env.JAEGER_URL });
const ingress = await startIngress({
  redisUrl: env.REDIS_URL,
  prefix: env.REDIS_PREFIX,
  port: env.PORT,
  apiKeys,
  ...(env.ADMIN_TOKEN ? { adminToken: env.ADMIN_TOKEN } : {}),
  deadlineMs: env.QUERY_DEADLINE_MS,
  bodyLimit: env.BODY_LIMIT_BYTES,
  doubleTexting: env.DOUBLE_TEXTING,
  log,
  debugTrace,
  metrics: async (ctx) =>
    (await renderMetrics(ctx.redis, env.REDIS_PREFIX, ctx.queues)) + renderDeliveryMetrics(await deliveryStats(ctx.redis, env.REDIS_PREFIX)),
  // Hardened input, platform webhooks (Slack, WhatsApp, Telegram, signed webhooks), web chat.
  plugins: [
    ...channelPluginsFromEnv(),
    ...(env.ADMIN_TOKEN ? [archiveRoutes({ db: archiveDb, operator: adminTokenOperator(env.ADMIN_TOKEN), debugTrace })] : []),
  ],
  admit: admission.admit,
});
onShutdown(async () => {
  await ingress.close();
  await admission.close();
  await archiveDb?.end();
}, log);
