// The deliveries worker as its own process (one container in production):
// `node packages/channels/src/delivery-main.ts`. Consumes `deliveries`, posts answers to the platforms.
import { CommonEnv, intFromEnv, parseEnv } from '@steward/core';
import { onShutdown, startHealthServer } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { channelsConfigFromEnv } from './config.ts';
import { CHANNEL_LIMITS } from './constants.ts';
import { startDeliveryWorker } from './delivery/start-delivery-worker.ts';

const env = parseEnv(
  CommonEnv.extend({
    DELIVERY_CONCURRENCY: intFromEnv(CHANNEL_LIMITS.deliveryConcurrency),
    DELIVERY_TIMEOUT_MS: intFromEnv(CHANNEL_LIMITS.deliveryTimeoutMs),
    HEALTH_PORT: intFromEnv(9466),
  }),
);
const log = createLogger({ service: 'deliveries', level: env.LOG_LEVEL, redact: env.REDACT_PII });
const worker = await startDeliveryWorker({
  redisUrl: env.REDIS_URL,
  prefix: env.REDIS_PREFIX,
  log,
  channels: channelsConfigFromEnv(),
  concurrency: env.DELIVERY_CONCURRENCY,
  timeoutMs: env.DELIVERY_TIMEOUT_MS,
});
const health = await startHealthServer(env.HEALTH_PORT, () => worker.ready());
log.info({ healthPort: env.HEALTH_PORT }, 'delivery worker started');
onShutdown(async () => {
  await worker.close();
  health.close();
}, log);
