// A PostgreSQL for tests. In the integration project the vitest global setup
// (packages/testing/src/global-setup.ts) chose it once for the run: TEST_DATABASE_URL, else the
// machine's server on 127.0.0.1:5432 (trust auth, database `test`), else a private server it
// started, else none with the install command. Outside it (a file run without the global setup)
// only TEST_DATABASE_URL or the machine's server is tried. Each caller gets a schema of its own,
// dropped afterwards, so test files never see each other's rows; no server → `skip` says why.
import pg from 'pg';
import { inject } from 'vitest';
import { MACHINE_DATABASE_URL, postgresReachable, safeUrl } from '@steward/testing';

export interface TestDatabase {
  /** Connection string; the archive puts `schema` on the search_path itself. */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

const provided = inject('databaseUrl') as string | undefined;
const fallbackUrl = process.env.TEST_DATABASE_URL ?? MACHINE_DATABASE_URL;

/** The run's PostgreSQL (empty when there is none). */
export const TEST_DATABASE_URL: string = provided ?? fallbackUrl;

/** Why PostgreSQL tests cannot run here, or undefined when they can (checked once per file). */
export const postgresUnavailable: string | undefined =
  provided !== undefined
    ? provided === ''
      ? inject('databaseUnavailable') || 'no PostgreSQL for this run'
      : undefined
    : await postgresReachable(fallbackUrl).then((err) =>
        err ? `no PostgreSQL at ${safeUrl(fallbackUrl)} (${err}); set TEST_DATABASE_URL, or run in the integration project (it starts a private one)` : undefined,
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
