// Helpers of the archive suites: dump what PostgreSQL and Redis hold, to look for a customer's
// data in every table and every key.
import type { Redis } from 'ioredis';
import type { Db } from '@steward/archive';

/** Every row of every table and view of the archive's schema, as text, per table. */
export async function dumpSchema(db: Db, schema: string): Promise<Record<string, string>> {
  const tables = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
    [schema],
  );
  const out: Record<string, string> = {};
  for (const { table_name } of tables.rows) {
    const r = await db.query(`SELECT t::text AS row FROM "${schema}"."${table_name}" t`);
    out[table_name] = r.rows.map((x: { row: string }) => x.row).join('\n');
  }
  return out;
}

/** Every key under `prefix` with its whole content, as text. */
export async function dumpRedis(redis: Redis, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) {
      const type = await redis.type(k);
      let content: unknown;
      if (type === 'string') content = await redis.get(k);
      else if (type === 'hash') content = await redis.hgetall(k);
      else if (type === 'list') content = await redis.lrange(k, 0, -1);
      else if (type === 'set') content = await redis.smembers(k);
      else if (type === 'zset') content = await redis.zrange(k, '0', '-1');
      else if (type === 'stream') content = await redis.xrange(k, '-', '+');
      out[k] = `${k} ${JSON.stringify(content)}`;
    }
  } while (cursor !== '0');
  return out;
}

/** Names of the places (tables or keys) whose text contains `needle`. */
export function whereFound(dump: Record<string, string>, needle: string): string[] {
  return Object.entries(dump)
    .filter(([, text]) => text.includes(needle))
    .map(([name]) => name);
}

export async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
