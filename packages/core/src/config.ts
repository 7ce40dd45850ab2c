import { z } from 'zod';
import { DEFAULTS } from './constants.ts';
import { formatIssues } from './queues.ts';

// Kept only so that code written against it still compiles: every service now parses its
// environment once with loadConfig (load-config.ts), which knows every variable. New settings
// go into steward-env.ts and the README table, not into a schema of their own.

/** @deprecated Use loadConfig (one schema for every variable and every role). */
export const CommonEnv = z.object({
  REDIS_URL: z.string().default(DEFAULTS.redisUrl),
  REDIS_PREFIX: z.string().default(DEFAULTS.redisPrefix),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDACT_PII: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});
export type CommonEnv = z.infer<typeof CommonEnv>;

/** @deprecated Use loadConfig. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const r = schema.safeParse(env);
  if (!r.success) throw new Error(`invalid environment: ${formatIssues(r.error)}`);
  return r.data;
}

/** @deprecated Use loadConfig. */
export const intFromEnv = (def: number) => z.coerce.number().int().nonnegative().default(def);
