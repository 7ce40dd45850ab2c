// Generates the deterministic demo catalog into a SQLite file (usable as SHOP_DB) and/or a
// τ-bench layout directory (usable as SHOP_DATA), with a progress bar on stderr.
//   node scripts/shop-seed.ts [--seed 42] [--db .data/shop.db] [--dir .data/catalog]
//                             [--products 2000] [--users 5000] [--orders 20000]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CATALOG_DEFAULTS, ShopEngine, catalogIndex, generateCatalog, generatedSource, progressBar } from '@steward/commerce';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(CATALOG_DEFAULTS.seed) },
    db: { type: 'string' },
    dir: { type: 'string' },
    products: { type: 'string', default: String(CATALOG_DEFAULTS.products) },
    users: { type: 'string', default: String(CATALOG_DEFAULTS.users) },
    orders: { type: 'string', default: String(CATALOG_DEFAULTS.orders) },
  },
});
const db = values.db ?? (values.dir ? undefined : '.data/shop.db');
const sizes = { products: Number(values.products), users: Number(values.users), orders: Number(values.orders) };

const started = performance.now();
const bar = progressBar('generate', 3);
const phases = ['products', 'users', 'orders'];
const catalog = generateCatalog({ seed: Number(values.seed), ...sizes, onProgress: (phase, done, n) => bar.update(phases.indexOf(phase) + done / n, phase) });
bar.done();

if (values.dir) {
  mkdirSync(values.dir, { recursive: true });
  for (const part of ['users', 'orders', 'products'] as const) {
    writeFileSync(join(values.dir, `${part}.json`), JSON.stringify(catalog[part], null, 2));
  }
  writeFileSync(join(values.dir, 'extensions.json'), JSON.stringify(catalog.extensions));
  process.stderr.write(`wrote τ-bench layout to ${values.dir}\n`);
}

if (db) {
  mkdirSync(dirname(db), { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  const engine = new ShopEngine({ path: db });
  const load = progressBar('load', 2);
  load.update(0, 'sqlite');
  engine.loadData(catalog, generatedSource({ seed: Number(values.seed), ...sizes }));
  load.update(1, 'search index');
  const index = catalogIndex(engine);
  load.done();
  engine.close();
  process.stderr.write(`wrote ${db}: ${index.products.length} products, ${index.skuCount} SKUs\n`);
}

const counts = {
  seed: Number(values.seed),
  products: Object.keys(catalog.products).length,
  skus: Object.values(catalog.products).reduce((s, p) => s + Object.keys(p.variants).length, 0),
  users: Object.keys(catalog.users).length,
  orders: Object.keys(catalog.orders).length,
  ...(db ? { db } : {}),
  ...(values.dir ? { dir: values.dir } : {}),
  seconds: Math.round((performance.now() - started) / 100) / 10,
};
process.stdout.write(JSON.stringify(counts) + '\n');
