// tool-worker as its own process: one tool call per job from `tools`, calling the shop over HTTP.
import { z } from 'zod';
import { CommonEnv, DEFAULTS, intFromEnv, parseEnv } from '@steward/core';
import { commerceTools, createShopClient } from '@steward/commerce';
import { onShutdown, startHealthServer } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { startToolWorker } from './service.ts';

const env = parseEnv(
  CommonEnv.extend({
    SHOP_URL: z.string().default(`http://127.0.0.1:${DEFAULTS.ports.shop}`),
    SHOP_API_TOKEN: z.string().optional(),
    TOOL_CONCURRENCY: intFromEnv(50),
    TOOL_TIMEOUT_MS: intFromEnv(DEFAULTS.toolTimeoutMs),
    HEALTH_PORT: intFromEnv(9464),
  }),
);
const log = createLogger({ service: 'tool-worker', level: env.LOG_LEVEL, redact: env.REDACT_PII });
const tw = await startToolWorker({
  redisUrl: env.REDIS_URL,
  prefix: env.REDIS_PREFIX,
  registry: new ToolRegistry(commerceTools),
  shop: createShopClient(env.SHOP_URL, env.SHOP_API_TOKEN ? { token: env.SHOP_API_TOKEN } : {}),
  log,
  concurrency: env.TOOL_CONCURRENCY,
  toolTimeoutMs: env.TOOL_TIMEOUT_MS,
});
const health = await startHealthServer(env.HEALTH_PORT, async () => (await tw.deps.redis.ping()) === 'PONG');
log.info({ healthPort: env.HEALTH_PORT, shop: env.SHOP_URL }, 'tool-worker started');
onShutdown(async () => {
  await tw.close();
  health.close();
}, log);
