// The archiver's settings are the `archive` section of the one configuration (loadConfig in
// @steward/core). Without DATABASE_URL the archiver refuses to start: the archive is optional
// for the system, not for the archiver.
import { ConfigError, type StewardConfig } from '@steward/core';

export type ArchiveSettings = StewardConfig['archive'];

/** The archive section with its database URL, or a ConfigError naming DATABASE_URL (not retryable). */
export function requireArchive(archive: ArchiveSettings): ArchiveSettings & { databaseUrl: string } {
  const { databaseUrl } = archive;
  if (!databaseUrl) throw new ConfigError([{ variable: 'DATABASE_URL', message: 'required by the archiver (postgres://user:pass@host:5432/db)' }]);
  return { ...archive, databaseUrl };
}
