// The archiver's environment, parsed once. Without DATABASE_URL it refuses to start: the
// archive is optional for the system, not for the archiver.
import { z } from 'zod';
import { CommonEnv, DEFAULTS, intFromEnv, parseEnv, StewardEnv } from '@steward/core';
import { ARCHIVE_DEFAULTS, ArchiveEnv } from '@steward/archive';

export const ArchiverEnv = CommonEnv.extend(ArchiveEnv.shape).extend({
  ARCHIVER_BATCH_SIZE: intFromEnv(ARCHIVE_DEFAULTS.batchSize),
  ARCHIVER_CLAIM_IDLE_MS: intFromEnv(ARCHIVE_DEFAULTS.claimIdleMs),
  /** Stable per replica (the pod name) so a restarted replica resumes its own pending entries at once. */
  ARCHIVER_CONSUMER_NAME: z.string().min(1).optional(),
  /** /healthz, /readyz, /metrics; 0 = off. */
  ARCHIVER_PORT: intFromEnv(DEFAULTS.ports.tracerMetrics + 10),
  // The same optional /metrics credential as the ingress and the tracer (same variables).
  METRICS_TOKEN: StewardEnv.shape.METRICS_TOKEN,
  ADMIN_TOKEN: StewardEnv.shape.ADMIN_TOKEN,
});
export type ArchiverConfig = z.infer<typeof ArchiverEnv>;

export function loadArchiverConfig(env: NodeJS.ProcessEnv = process.env): ArchiverConfig & { DATABASE_URL: string } {
  const cfg = parseEnv(ArchiverEnv, env);
  if (!cfg.DATABASE_URL) throw new Error('invalid environment: DATABASE_URL is required by the archiver (postgres://user:pass@host:5432/db)');
  return { ...cfg, DATABASE_URL: cfg.DATABASE_URL };
}
