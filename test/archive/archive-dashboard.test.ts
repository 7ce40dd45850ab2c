import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, migrate, type Db } from '@steward/archive';
import { postgresUnavailable, testDatabase, type TestDatabase } from '@steward/archive/testing';

// The archive dashboard's SQL runs for real against the migrated schema (Grafana's time macro
// replaced by a plain condition), so a renamed view or column fails here, not in Grafana.
const dashboard = JSON.parse(readFileSync(new URL('../../infra/grafana/dashboards/archive.json', import.meta.url), 'utf8')) as {
  panels: { title: string; datasource: { uid: string }; targets: { rawSql: string }[] }[];
};
let pgdb: TestDatabase;
let db: Db;

describe.skipIf(postgresUnavailable !== undefined)(`archive dashboard${postgresUnavailable ? ` (skipped: ${postgresUnavailable})` : ''}`, () => {
  beforeAll(async () => {
    pgdb = await testDatabase('dashboard');
    await migrate({ databaseUrl: pgdb.url, schema: pgdb.schema });
    db = createDb(pgdb.url, pgdb.schema);
  });
  afterAll(async () => {
    await db?.end();
    await pgdb?.drop();
  });

  it('reads only the analytics views, through the provisioned archive datasource, with SQL that runs', async () => {
    const provisioned = readFileSync(new URL('../../infra/grafana/provisioning/datasources/archive-postgres.yml', import.meta.url), 'utf8');
    expect(provisioned).toContain('uid: steward-archive');
    expect(dashboard.panels.length).toBeGreaterThan(5);
    for (const p of dashboard.panels) {
      expect(p.datasource.uid, p.title).toBe('steward-archive');
      for (const t of p.targets) {
        expect(t.rawSql, p.title).toMatch(/FROM analytics_\w+/);
        const sql = t.rawSql.replace(/\$__timeFilter\((\w+)\)/g, "$1 > now() - interval '30 days'");
        await expect(db.query(sql), p.title).resolves.toMatchObject({ rows: expect.any(Array) });
      }
    }
  });
});
