// The archive's settings, parsed once. Without DATABASE_URL there is no archive: nothing is
// written, the operator routes are not mounted, Redis TTLs stay as they are.
import { z } from 'zod';
import { intFromEnv, parseEnv } from '@steward/core';
import { ARCHIVE_DEFAULTS } from './constants.ts';

export const ArchiveEnv = z.object({
  /** Empty counts as unset (a Secret or compose file that leaves it blank turns the archive off). */
  DATABASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  /** Schema of the archive's tables (and of the migrations table). */
  ARCHIVE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default(ARCHIVE_DEFAULTS.schema),
  /** `redact` (default): emails, phones, addresses, card digits in free text become placeholders. `keep`: stored as said. */
  ARCHIVE_PII: z.enum(['redact', 'keep']).default('redact'),
  /** TTL given to a query's Redis records once archived; 0 keeps the normal TTLs. */
  ARCHIVE_HOT_TTL_SEC: intFromEnv(ARCHIVE_DEFAULTS.hotTtlSec),
  /** Retention per table, e.g. `conversations=400d,steps=90d,events=30d`. */
  ARCHIVE_RETENTION: z.string().default(ARCHIVE_DEFAULTS.retention),
  ARCHIVE_RETENTION_EVERY_MS: intFromEnv(ARCHIVE_DEFAULTS.retentionEveryMs),
});
export type ArchiveConfig = z.infer<typeof ArchiveEnv>;

export function loadArchiveConfig(env: NodeJS.ProcessEnv = process.env): ArchiveConfig {
  return parseEnv(ArchiveEnv, env);
}
