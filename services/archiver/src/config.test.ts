import { describe, expect, it } from 'vitest';
import { loadArchiverConfig } from './config.ts';

describe('loadArchiverConfig', () => {
  it('requires DATABASE_URL, naming it (an empty one counts as missing)', () => {
    expect(() => loadArchiverConfig({})).toThrow(/DATABASE_URL is required/);
    expect(() => loadArchiverConfig({ DATABASE_URL: '' })).toThrow(/DATABASE_URL is required/);
  });

  it('reads the archive settings with their defaults', () => {
    const c = loadArchiverConfig({ DATABASE_URL: 'postgres://db/steward', ARCHIVE_PII: 'keep', ARCHIVE_HOT_TTL_SEC: '60' });
    expect(c).toMatchObject({
      DATABASE_URL: 'postgres://db/steward',
      ARCHIVE_SCHEMA: 'public',
      ARCHIVE_PII: 'keep',
      ARCHIVE_HOT_TTL_SEC: 60,
      ARCHIVER_BATCH_SIZE: 200,
      ARCHIVER_PORT: 3310,
    });
    expect(() => loadArchiverConfig({ DATABASE_URL: 'postgres://db/x', ARCHIVE_SCHEMA: 'Bad-Name' })).toThrow(/ARCHIVE_SCHEMA/);
  });
});
