// The shop's environment, parsed once at start-up.
import { CommonEnv, DEFAULTS, parseEnv } from '@steward/core';
import { z } from 'zod';
import type { StartShopOptions } from './server.ts';

const rate = z.coerce.number().min(0).max(1).default(0);

export const ShopEnv = CommonEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULTS.ports.shop),
  HOST: z.string().default('0.0.0.0'),
  /** A τ-bench layout directory; when unset the deterministic demo catalog is generated. */
  SHOP_DATA: z.string().optional(),
  /** SQLite file for the shop's data (a temp dir when unset). */
  SHOP_DB: z.string().optional(),
  SHOP_SEED: z.coerce.number().int().default(42),
  SHOP_API_TOKEN: z.string().optional(),
  SHOP_FAULT_RATE: rate,
  SHOP_SLOW_RATE: rate,
  SHOP_SLOW_MS: z.coerce.number().int().nonnegative().default(2_000),
  /** Every tool call takes this long, e.g. `20-100` (ms, uniform): a merchant system's latency, for benchmarks. */
  SHOP_LATENCY_MS: z
    .string()
    .regex(/^\d+(-\d+)?$/, 'a number of ms or a range like 20-100')
    .optional(),
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
    ...(e.SHOP_API_TOKEN ? { apiToken: e.SHOP_API_TOKEN } : {}),
    faultRate: e.SHOP_FAULT_RATE,
    slowRate: e.SHOP_SLOW_RATE,
    slowMs: e.SHOP_SLOW_MS,
    ...(e.SHOP_LATENCY_MS ? { latencyMs: parseRange(e.SHOP_LATENCY_MS) } : {}),
    logLevel: e.LOG_LEVEL,
    redact: e.REDACT_PII,
  };
}

function parseRange(v: string): { min: number; max: number } {
  const [a, b] = v.split('-').map(Number) as [number, number | undefined];
  return { min: a, max: b ?? a };
}
