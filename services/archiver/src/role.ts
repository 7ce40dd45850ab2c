// The archiver as a role of the all-in-one process (startSystem's `extraRoles`), on when
// DATABASE_URL is set.
import type { Logger } from '@steward/telemetry';
import { loadArchiveConfig } from '@steward/archive';
import { startArchiver, type ArchiverOptions } from './archiver.ts';

type Role = (ctx: { redisUrl: string; prefix: string; log: Logger }) => Promise<() => Promise<void>>;

export function archiverRole(overrides: Partial<Omit<ArchiverOptions, 'redisUrl' | 'prefix' | 'log'>> = {}, env: NodeJS.ProcessEnv = process.env): Role | undefined {
  const cfg = loadArchiveConfig(env);
  const databaseUrl = overrides.databaseUrl ?? cfg.DATABASE_URL;
  if (!databaseUrl) return undefined;
  return async (ctx) => {
    const a = await startArchiver({
      schema: cfg.ARCHIVE_SCHEMA,
      pii: cfg.ARCHIVE_PII,
      hotTtlSec: cfg.ARCHIVE_HOT_TTL_SEC,
      retention: cfg.ARCHIVE_RETENTION,
      retentionEveryMs: cfg.ARCHIVE_RETENTION_EVERY_MS,
      ...overrides,
      databaseUrl,
      redisUrl: ctx.redisUrl,
      prefix: ctx.prefix,
      log: ctx.log.child({ service: 'archiver' }),
    });
    return () => a.close();
  };
}
