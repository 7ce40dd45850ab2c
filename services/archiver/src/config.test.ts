import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@steward/core';
import { requireArchive } from './config.ts';

describe('the archiver settings of the one configuration', () => {
  it('requires DATABASE_URL, naming it (an empty one counts as missing)', () => {
    expect(() => requireArchive(loadConfig({}, 'archiver').archive)).toThrow(ConfigError);
    expect(() => requireArchive(loadConfig({ DATABASE_URL: '' }, 'archiver').archive)).toThrow(/DATABASE_URL: required by the archiver/);
  });

  it('reads the archive settings with their defaults', () => {
    const c = requireArchive(loadConfig({ DATABASE_URL: 'postgres://db/steward', ARCHIVE_PII: 'keep', ARCHIVE_HOT_TTL_SEC: '60' }, 'archiver').archive);
    expect(c).toMatchObject({
      databaseUrl: 'postgres://db/steward',
      schema: 'public',
      pii: 'keep',
      hotTtlSec: 60,
      batchSize: 200,
      port: 3310,
    });
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/x', ARCHIVE_SCHEMA: 'Bad-Name' }, 'archiver')).toThrow(/ARCHIVE_SCHEMA:/);
    expect(() => loadConfig({ ARCHIVE_RETENTION: 'chats=4d' }, 'archiver')).toThrow(/ARCHIVE_RETENTION:/);
  });
});
