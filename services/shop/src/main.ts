// Entry point: the configuration parsed once by loadConfig, the shop started, a clean stop on
// SIGTERM/SIGINT. startSystem starts the embedded shop from the same `shop` section.
import { loadConfig } from '@steward/core';
import { createLogger } from '@steward/telemetry';
import { startShop } from './server.ts';

const cfg = loadConfig(process.env, 'shop');
const logger = createLogger({ service: 'shop', level: cfg.log.level, redact: cfg.log.redact });
const shop = await startShop({ ...cfg.shop, logger }).catch((e: unknown) => {
  // A configuration refusal is one clear line for the operator, not a stack trace.
  logger.fatal({ err: e }, e instanceof Error ? e.message : String(e));
  process.exit(1);
});
const stop = (): void => {
  shop.close().then(
    () => process.exit(0),
    (e: unknown) => {
      logger.error({ err: e }, 'close failed');
      process.exit(1);
    },
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
