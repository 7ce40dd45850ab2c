// A PostgreSQL for tests: TEST_DATABASE_URL, else the machine's server on 127.0.0.1:5432
// (trust auth, database `test`). Each caller gets a schema of its own, dropped afterwards, so
// test files never see each other's rows. No server → `skip` says why, and the suite skips.
import pg from 'pg';

export interface TestDatabase {
  /** Connection string; the archive puts `schema` on the search_path itself. */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url: string): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Why PostgreSQL tests cannot run here, or undefined when they can (checked once per file). */
export const postgresUnavailable: string | undefined = await reachable(TEST_DATABASE_URL).then((err) =>
  err ? `no PostgreSQL at ${TEST_DATABASE_URL.replace(/\/\/[^@]*@/, '//')} (${err}); set TEST_DATABASE_URL or start one` : undefined,
);

export async function testDatabase(label: string): Promise<TestDatabase> {
  const schema = `t_${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  return {
    url: TEST_DATABASE_URL,
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
