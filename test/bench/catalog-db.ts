// The shop's generated demo catalog, built once per machine and copied for each run: the
// shop would otherwise spend most of a minute generating 20,000 orders at every start on a
// busy machine. The copy is the same data the shop generates itself (same generator, same
// seed), and each run writes into its own copy.
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShopEngine, generateCatalog } from '@steward/commerce';

export function catalogDb(seed = 42): string {
  const path = join(tmpdir(), `steward-bench-catalog-seed${seed}.db`);
  if (existsSync(path)) return path;
  process.stderr.write(`generating the demo catalog (seed ${seed}) once into ${path} …\n`);
  const partial = `${path}.${process.pid}.partial`;
  const engine = new ShopEngine({ path: partial });
  engine.loadData(generateCatalog({ seed }));
  engine.close();
  renameSync(partial, path);
  for (const ext of ['-wal', '-shm']) rmSync(`${partial}${ext}`, { force: true });
  return path;
}

/** A private copy of the catalog for one run. */
export function copyCatalog(to: string, seed = 42): void {
  copyFileSync(catalogDb(seed), to);
}
