import { afterAll, describe, expect, it } from 'vitest';
import { createDb, migrate } from '@steward/archive';
import { acquirePostgres, freePort, postgresBinDir, postgresReachable, type PostgresTarget } from '@steward/testing';

// The harness' fallback when the machine has no PostgreSQL: TEST_DATABASE_URL points at a port
// nobody listens on, so acquirePostgres must start a private server (initdb in a temp dir, a free
// port, as the `postgres` user when run as root), which then holds the archive's schema and
// answers real queries, and is gone after stop(). Without the binaries it says how to install them.
const bin = postgresBinDir();
const started: PostgresTarget[] = [];
afterAll(async () => {
  for (const t of started) await t.stop();
});

describe.skipIf(bin === undefined)(`a private PostgreSQL when none is reachable${bin ? '' : ' (skipped: no PostgreSQL binaries; apt-get install -y postgresql)'}`, () => {
  it('starts one, runs the archive migrations and real queries on it, and removes it on stop', async () => {
    const closed = await freePort();
    const t = await acquirePostgres({ ...process.env, TEST_DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/test`, STEWARD_TEST_PG: 'auto' });
    started.push(t);
    expect(t.url, t.url === undefined ? t.unavailable : '').toBeDefined();
    if (t.url === undefined) return;
    expect(t.source).toBe('private-postgres');
    expect(t.url).not.toContain(`:${closed}/`);

    expect(await migrate({ databaseUrl: t.url, schema: 'fallback' })).toContain('1764460800000_archive-tables');
    const db = createDb(t.url, 'fallback');
    try {
      await db.query("INSERT INTO conversations (id, started_at, last_at) VALUES ('c_private', now(), now())");
      const r = await db.query<{ id: string; db: string; v: string }>("SELECT id, current_database() AS db, current_setting('server_version_num') AS v FROM conversations");
      expect(r.rows).toEqual([{ id: 'c_private', db: 'test', v: expect.stringMatching(/^\d{5,6}$/) }]);
    } finally {
      await db.end();
    }

    await t.stop();
    started.pop();
    expect(await postgresReachable(t.url), 'stopped with the test').toBeTypeOf('string');
  }, 120_000);
});

describe('no PostgreSQL at all', () => {
  it('is unavailable with the command that installs it, and STEWARD_TEST_PG=off turns it off', async () => {
    const closed = await freePort();
    const t = await acquirePostgres({ TEST_DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/test`, POSTGRES_BIN_DIR: '/nonexistent' });
    expect(t.url).toBeUndefined();
    expect(t.url === undefined && t.unavailable).toMatch(/no PostgreSQL at postgres:\/\/127\.0\.0\.1:\d+\/test .*apt-get install -y postgresql/);
    const off = await acquirePostgres({ STEWARD_TEST_PG: 'off' });
    expect(off.url === undefined && off.unavailable).toBe('STEWARD_TEST_PG=off');
  });
});
