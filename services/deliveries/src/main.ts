// The deliveries role as its own process (one container per replica in production): consumes
// `deliveries` and posts each answer to its platform. The configuration is parsed once by
// loadConfig; startSystem starts the same worker from the same sections.
import { loadConfig } from '@steward/core';
import { channelsConfigFromEnv, startDeliveryWorker } from '@steward/channels';
import { onShutdown, startHealthServer } from '@steward/store';
import { createLogger } from '@steward/telemetry';

const cfg = loadConfig(process.env, 'deliveries');
const log = createLogger({ service: 'deliveries', level: cfg.log.level, redact: cfg.log.redact });
const worker = await startDeliveryWorker({
  redisUrl: cfg.redis.url,
  prefix: cfg.redis.prefix,
  log,
  channels: channelsConfigFromEnv(cfg.env),
  ...cfg.deliveries,
});
const health = await startHealthServer(cfg.healthPort, () => worker.ready());
log.info({ healthPort: cfg.healthPort }, 'deliveries started');
onShutdown(async () => {
  await worker.close();
  health.close();
}, log);
