// controller as its own process: polls the query deadlines, consumes `control` (observe; an older release's decide and deadline jobs) and `handoff`.
// The configuration is parsed once by loadConfig; startSystem hands the same section over.
import { loadConfig } from '@steward/core';
import { commerceTools } from '@steward/commerce';
import { onShutdown, startHealthServer } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { startController } from './service.ts';

const cfg = loadConfig(process.env, 'controller');
const log = createLogger({ service: 'controller', level: cfg.log.level, redact: cfg.log.redact });
const ctl = await startController({
  redisUrl: cfg.redis.url,
  prefix: cfg.redis.prefix,
  registry: new ToolRegistry(commerceTools),
  log,
  ...cfg.controller,
});
const health = await startHealthServer(cfg.healthPort, async () => (await ctl.deps.redis.ping()) === 'PONG');
log.info({ healthPort: cfg.healthPort }, 'controller started');
onShutdown(async () => {
  await ctl.close();
  health.close();
}, log);
