// scripts/shop-seed.ts and scripts/bench-search.ts as real child processes (small sizes).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShopEngine } from '../engine/engine.ts';

const ROOT = join(import.meta.dirname, '../../../..');
const run = (script: string, args: string[]) => spawnSync(process.execPath, [join(ROOT, 'scripts', script), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('commands', () => {
  it('shop-seed writes a loaded sqlite file and a τ-bench layout dir, counts on stdout, progress on stderr', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seed-'));
    const r = run('shop-seed.ts', ['--seed', '9', '--products', '40', '--users', '30', '--orders', '60', '--db', join(dir, 'shop.db'), '--dir', join(dir, 'layout')]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(report).toMatchObject({ seed: 9, products: 40, users: 30, orders: 60 });
    expect(r.stderr).toMatch(/generate \[/);
    for (const f of ['users.json', 'orders.json', 'products.json', 'extensions.json']) expect(existsSync(join(dir, 'layout', f))).toBe(true);
    const fromDb = new ShopEngine({ path: join(dir, 'shop.db') });
    const fromDir = new ShopEngine();
    fromDir.loadDir(join(dir, 'layout'));
    expect(fromDb.isLoaded()).toBe(true);
    expect(fromDb.exportJson()).toBe(fromDir.exportJson());
    fromDb.close();
  });
});
