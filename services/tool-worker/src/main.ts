// tool-worker as its own process: one tool call per job from `tools`, calling the shop over HTTP.
// The configuration is parsed once by loadConfig; startSystem hands the same sections over. The
// observe step of a turn is taken here, with the controller's rules (its section of the config).
import { loadConfig } from '@steward/core';
import { commerceTools, createShopClient } from '@steward/commerce';
import { onShutdown, startHealthServer } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { startToolWorker } from './service.ts';

const cfg = loadConfig(process.env, 'tool-worker');
const { limits, requireConfirmation, budgets, keepTranscript } = cfg.controller;
const log = createLogger({ service: 'tool-worker', level: cfg.log.level, redact: cfg.log.redact });
const tw = await startToolWorker({
  redisUrl: cfg.redis.url,
  prefix: cfg.redis.prefix,
  registry: new ToolRegistry(commerceTools),
  shop: createShopClient(cfg.shopClient.url, cfg.shopClient.token ? { token: cfg.shopClient.token } : {}),
  log,
  ...cfg.tools,
  steps: { limits, requireConfirmation, budgets, keepTranscript },
});
const health = await startHealthServer(cfg.healthPort, async () => (await tw.deps.redis.ping()) === 'PONG');
log.info({ healthPort: cfg.healthPort, shop: cfg.shopClient.url }, 'tool-worker started');
onShutdown(async () => {
  await tw.close();
  health.close();
}, log);
