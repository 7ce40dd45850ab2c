// The PostgreSQL a test run uses: TEST_DATABASE_URL, else the machine's server on 127.0.0.1:5432
// (trust auth, database `test`), else a private server started here (postgres-server.ts), else
// none — and then the reason with the command that installs it, for the suites to skip with.
// STEWARD_TEST_PG=private skips the first two (tests of the fallback itself, CI checks),
// STEWARD_TEST_PG=off turns PostgreSQL tests off.
import pg from 'pg';
import { POSTGRES_INSTALL, PostgresServer, postgresBinDir } from './postgres-server.ts';

export const MACHINE_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export type PostgresTarget =
  | { url: string; source: 'TEST_DATABASE_URL' | 'machine' | 'private-postgres'; stop(): Promise<void> }
  | { url?: undefined; unavailable: string; stop(): Promise<void> };

/** Undefined when `url` answers a query, else why not. */
export async function postgresReachable(url: string): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('SELECT 1');
    return undefined;
  } catch (e) {
    return (e as Error).message || String(e);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** The URL without its credentials, for logs. */
export const safeUrl = (url: string): string => url.replace(/\/\/[^@/]*@/, '//');

export async function acquirePostgres(env: NodeJS.ProcessEnv = process.env): Promise<PostgresTarget> {
  const mode = env.STEWARD_TEST_PG ?? 'auto';
  const none = async () => {};
  if (mode === 'off') return { unavailable: 'STEWARD_TEST_PG=off', stop: none };
  let why = '';
  if (mode !== 'private') {
    const url = env.TEST_DATABASE_URL ?? MACHINE_DATABASE_URL;
    const err = await postgresReachable(url);
    if (!err) return { url, source: env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL' : 'machine', stop: none };
    why = `no PostgreSQL at ${safeUrl(url)} (${err}); `;
  }
  const bin = postgresBinDir(env);
  if (!bin) return { unavailable: `${why}no PostgreSQL binaries to start a private one: ${POSTGRES_INSTALL}`, stop: none };
  try {
    const srv = await PostgresServer.start({ binDir: bin });
    return { url: srv.url, source: 'private-postgres', stop: () => srv.stop() };
  } catch (e) {
    return { unavailable: `${why}a private PostgreSQL did not start: ${(e as Error).message}`, stop: none };
  }
}
