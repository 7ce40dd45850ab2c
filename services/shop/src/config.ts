// The shop's environment, parsed once at start-up.
import { CommonEnv, DEFAULTS, parseEnv } from '@steward/core';
import { z } from 'zod';
import type { StartShopOptions } from './server.ts';
import { SHOP_MODES } from './shop-access.ts';

const rate = z.coerce.number().min(0).max(1).default(0);

export const ShopEnv = CommonEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULTS.ports.shop),
  /** Loopback unless told otherwise: containers set 0.0.0.0 explicitly, behind their network. */
  HOST: z.string().default('127.0.0.1'),
  /** production needs SHOP_API_TOKEN and has no /v1/export or /v1/reset; see shop-access.ts. */
  SHOP_MODE: z.enum(SHOP_MODES).default('production'),
  /** A τ-bench layout directory; when unset the deterministic demo catalog is generated. */
  SHOP_DATA: z.string().optional(),
  /** SQLite file for the shop's data (a temp dir when unset). */
  SHOP_DB: z.string().optional(),
  SHOP_SEED: z.coerce.number().int().default(42),
  SHOP_API_TOKEN: z.string().optional(),
  SHOP_FAULT_RATE: rate,
  SHOP_SLOW_RATE: rate,
  SHOP_SLOW_MS: z.coerce.number().int().nonnegative().default(2_000),
});
export type ShopEnv = z.infer<typeof ShopEnv>;

export function shopOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): StartShopOptions & { logLevel: ShopEnv['LOG_LEVEL']; redact: boolean } {
  const e = parseEnv(ShopEnv, env);
  return {
    port: e.PORT,
    host: e.HOST,
    ...(e.SHOP_DATA ? { dataDir: e.SHOP_DATA } : {}),
    ...(e.SHOP_DB ? { dbPath: e.SHOP_DB } : {}),
    seed: e.SHOP_SEED,
    mode: e.SHOP_MODE,
    ...(e.SHOP_API_TOKEN ? { apiToken: e.SHOP_API_TOKEN } : {}),
    faultRate: e.SHOP_FAULT_RATE,
    slowRate: e.SHOP_SLOW_RATE,
    slowMs: e.SHOP_SLOW_MS,
    logLevel: e.LOG_LEVEL,
    redact: e.REDACT_PII,
  };
}
