// vitest globalSetup: one Redis and one PostgreSQL for the whole run, handed to test files
// through `inject`. A private server started here is stopped when the run ends.
import type { TestProject } from 'vitest/node';
import { acquireRedis } from './test-redis.ts';
import { acquirePostgres, safeUrl } from './test-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** Empty when there is no PostgreSQL: then `databaseUnavailable` says why and how to install it. */
    databaseUrl: string;
    databaseUnavailable: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const target = await acquireRedis();
  process.stderr.write(`[steward tests] Redis from ${target.source}: ${target.url}\n`);
  project.provide('redisUrl', target.url);
  const db = await acquirePostgres();
  if (db.url === undefined) process.stderr.write(`[steward tests] PostgreSQL: none (${db.unavailable}); PostgreSQL tests skip\n`);
  else process.stderr.write(`[steward tests] PostgreSQL from ${db.source}: ${safeUrl(db.url)}\n`);
  project.provide('databaseUrl', db.url ?? '');
  project.provide('databaseUnavailable', db.url === undefined ? db.unavailable : '');
  // For the skip summary (same process): whether PostgreSQL tests could run.
  if (db.url !== undefined) process.env.STEWARD_TEST_PG_SOURCE = db.source;
  return async () => {
    await db.stop();
    await target.stop();
  };
}
