// Entry point: read the environment, start the shop, stop cleanly on SIGTERM/SIGINT.
import { createLogger } from '@steward/telemetry';
import { shopOptionsFromEnv } from './config.ts';
import { startShop } from './server.ts';

const { logLevel, redact, ...opts } = shopOptionsFromEnv();
const logger = createLogger({ service: 'shop', level: logLevel, redact });
const shop = await startShop({ ...opts, logger }).catch((e: unknown) => {
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
