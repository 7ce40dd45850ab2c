// ingress as its own process: the v1 HTTP API.
// The configuration is parsed once by loadConfig; startSystem hands the same sections over.
import { loadConfig } from '@steward/core';
import { onShutdown } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { channelPluginsFromEnv, deliveryStats, renderDeliveryMetrics, startAdmission } from '@steward/channels';
import { generateApiKey } from './api-keys.ts';
import { debugTraceOf, renderMetrics } from './observability.ts';
import type { DebugTraceContext } from './routes/queries.ts';
import { startIngress } from './service.ts';
import { createDb } from '@steward/archive';
import { archiveRoutes } from './routes/archive.ts';
import { operatorCredentials } from './routes/operator-guard.ts';

const cfg = loadConfig(process.env, 'ingress');
const log = createLogger({ service: 'ingress', level: cfg.log.level, redact: cfg.log.redact });
const { jaegerUrl, apiKeys: configuredKeys, ...ingressOptions } = cfg.ingress;
let apiKeys = configuredKeys;
if (!apiKeys) {
  apiKeys = generateApiKey();
  // Printed once on stdout for the operator; never logged through the structured logger.
  process.stdout.write(`INGRESS_API_KEYS is not set: generated API key for this run: ${apiKeys}\n`);
}
// Backpressure: per-customer and per-channel token buckets and the reasoning backlog.
const admission = await startAdmission({ redisUrl: cfg.redis.url, prefix: cfg.redis.prefix, ...cfg.admission });
// The archive (DATABASE_URL) adds the operator API over PostgreSQL; erasure works without it too.
const archiveDb = cfg.archive.databaseUrl ? createDb(cfg.archive.databaseUrl, cfg.archive.schema) : undefined;
const debugTrace = (events: Parameters<typeof debugTraceOf>[0], ctx?: DebugTraceContext) =>
  debugTraceOf(events, { redact: cfg.log.redact, jaegerUrl, names: ctx?.names });
const ingress = await startIngress({
  redisUrl: cfg.redis.url,
  prefix: cfg.redis.prefix,
  ...ingressOptions,
  apiKeys,
  log,
  debugTrace,
  metrics: async (ctx) =>
    (await renderMetrics(ctx.redis, cfg.redis.prefix, ctx.queues)) + renderDeliveryMetrics(await deliveryStats(ctx.redis, cfg.redis.prefix)),
  // Hardened input, platform webhooks (Slack, WhatsApp, Telegram, signed webhooks), web chat.
  plugins: [
    ...channelPluginsFromEnv(cfg.env),
    // Operator credentials only: ADMIN_TOKEN or an `operator=` key.
    archiveRoutes({ db: archiveDb, operator: operatorCredentials({ apiKeys, adminToken: cfg.ingress.adminToken }), debugTrace }),
  ],
  admit: admission.admit,
});
onShutdown(async () => {
  await ingress.close();
  await admission.close();
  await archiveDb?.end();
}, log);
