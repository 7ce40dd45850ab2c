// The shop's generated demo catalog, built once and copied for each run: on a busy machine
// the shop would otherwise spend most of a minute generating 20,000 orders at every start.
// The copy carries the same source label the shop writes (generatedSource), so the shop
// reuses it as its own; the cache name includes the generator's source files' mtimes, so a
// change to the generator builds a new one. Each run writes into its own copy.
import { copyFileSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOG_DEFAULTS, ShopEngine, generateCatalog, generatedSource } from '@steward/commerce';

const GENERATOR_DIR = fileURLToPath(new URL('../../packages/commerce/src/catalog/', import.meta.url));

function generatorStamp(): string {
  const newest = Math.max(...readdirSync(GENERATOR_DIR).map((f) => statSync(join(GENERATOR_DIR, f)).mtimeMs));
  return Math.floor(newest).toString(36);
}

export function catalogDb(seed = 42): string {
  const sizes = { ...CATALOG_DEFAULTS, seed };
  const path = join(tmpdir(), `steward-bench-catalog-seed${seed}-${generatorStamp()}.db`);
  if (existsSync(path)) return path;
  process.stderr.write(`generating the demo catalog (seed ${seed}) once into ${path} …\n`);
  const partial = `${path}.${process.pid}.partial`;
  const engine = new ShopEngine({ path: partial });
  engine.loadData(generateCatalog(sizes), generatedSource(sizes));
  engine.close();
  renameSync(partial, path);
  for (const ext of ['-wal', '-shm']) rmSync(`${partial}${ext}`, { force: true });
  return path;
}

/** A private copy of the catalog for one run. */
export function copyCatalog(to: string, seed = 42): void {
  copyFileSync(catalogDb(seed), to);
}
