// The archiver as a role of the all-in-one process (startSystem's `extraRoles`): on when the
// configuration's archive section has a DATABASE_URL, started with that same section.
import type { Logger } from '@steward/telemetry';
import { startArchiver, type ArchiverOptions } from './archiver.ts';
import type { ArchiveSettings } from './config.ts';

type Role = (ctx: { redisUrl: string; prefix: string; log: Logger }) => Promise<() => Promise<void>>;

export function archiverRole(
  archive: ArchiveSettings,
  overrides: Partial<Omit<ArchiverOptions, 'redisUrl' | 'prefix' | 'log'>> = {},
): Role | undefined {
  const databaseUrl = overrides.databaseUrl ?? archive.databaseUrl;
  if (!databaseUrl) return undefined;
  // The probe port belongs to an archiver process; in one process the ingress serves the probes.
  const { port: _port, databaseUrl: _url, ...settings } = archive;
  return async (ctx) => {
    const a = await startArchiver({
      ...settings,
      ...overrides,
      databaseUrl,
      redisUrl: ctx.redisUrl,
      prefix: ctx.prefix,
      log: ctx.log.child({ service: 'archiver' }),
    });
    return () => a.close();
  };
}
