// One pg pool per process. The archive's schema is put on every connection's search_path, so
// all SQL in this package is unqualified and a test can use a schema of its own.
import pg from 'pg';

export type Db = pg.Pool;

export function createDb(databaseUrl: string, schema: string, max = 5): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, options: `-c search_path=${schema}` });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** Run `fn` in one transaction: all of it or nothing (a crash mid-batch leaves no half batch). */
export async function inTransaction<T>(db: Db, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await db.connect();
  try {
    await c.query('BEGIN');
    const r = await fn(c);
    await c.query('COMMIT');
    return r;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}
