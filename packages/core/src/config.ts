import { z } from 'zod';
import { DEFAULTS } from './constants.ts';
import { formatIssues } from './queues.ts';

/** Settings every service shares. Parse once at start-up; a bad value stops the service. */
export const CommonEnv = z.object({
  REDIS_URL: z.string().default(DEFAULTS.redisUrl),
  REDIS_PREFIX: z.string().default(DEFAULTS.redisPrefix),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Personal data in logs and traces is redacted unless this is explicitly false. */
  REDACT_PII: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});
export type CommonEnv = z.infer<typeof CommonEnv>;

export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const r = schema.safeParse(env);
  if (!r.success) throw new Error(`invalid environment: ${formatIssues(r.error)}`);
  return r.data;
}

export const intFromEnv = (def: number) => z.coerce.number().int().nonnegative().default(def);
