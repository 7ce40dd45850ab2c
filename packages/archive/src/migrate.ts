// Schema migrations with node-pg-migrate: plain SQL files in ../migrations, applied in order,
// recorded in `pgmigrations`, under an advisory lock so replicas starting together wait for
// one another instead of racing.
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from '@steward/telemetry';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export async function migrate(o: { databaseUrl: string; schema: string; log?: Logger; direction?: 'up' | 'down'; count?: number }): Promise<string[]> {
  const done = await runner({
    databaseUrl: o.databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: o.direction ?? 'up',
    ...(o.count === undefined ? {} : { count: o.count }),
    migrationsTable: 'pgmigrations',
    schema: o.schema,
    createSchema: true,
    checkOrder: true,
    advisoryLockMode: 'wait',
    log: (msg: string) => o.log?.debug({ msg }, 'migration'),
  });
  const names = done.map((m) => m.name);
  if (names.length) o.log?.info({ migrations: names, direction: o.direction ?? 'up' }, 'archive migrations applied');
  return names;
}
