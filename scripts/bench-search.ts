// Search benchmark: builds the 50k-SKU demo catalog, runs mixed English/Chinese queries with
// filters, prints progress on stderr and, as the LAST stdout line, a JSON report.
//   node scripts/bench-search.ts [--queries 2000] [--seed 42]
import { parseArgs } from 'node:util';
import { benchQueries, generateCatalog, indexFromCatalog, progressBar } from '@steward/commerce';

const { values } = parseArgs({ options: { queries: { type: 'string', default: '2000' }, seed: { type: 'string', default: '42' } } });
const total = Math.max(1_000, Number(values.queries));
const seed = Number(values.seed);

const gen = progressBar('catalog', 3);
const phases = ['products', 'users', 'orders'];
const catalog = generateCatalog({ seed, onProgress: (phase, done, n) => gen.update(phases.indexOf(phase) + done / n, phase) });
gen.done();
const built = performance.now();
const index = indexFromCatalog(catalog);
const buildMs = performance.now() - built;
process.stderr.write(`index: ${index.products.length} products, ${index.skuCount} SKUs in ${Math.round(buildMs)} ms\n`);

const queries = benchQueries(total, seed);
// Warm-up: JIT and jieba's first calls are not what a running shop sees.
for (const q of queries.slice(0, 100)) index.search(q);

const bar = progressBar('queries', total);
const times: number[] = [];
let hits = 0;
queries.forEach((q, i) => {
  const t = performance.now();
  const r = index.search(q);
  times.push(performance.now() - t);
  if (r.hits.length > 0) hits++;
  bar.update(i + 1);
});
bar.done();

times.sort((a, b) => a - b);
const pct = (p: number): number => Math.round(times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]! * 1000) / 1000;
const report = {
  skus: index.skuCount,
  queries: total,
  p50_ms: pct(50),
  p99_ms: pct(99),
  p95_ms: pct(95),
  max_ms: Math.round(times[times.length - 1]! * 1000) / 1000,
  products: index.products.length,
  queries_with_hits: hits,
  index_build_ms: Math.round(buildMs),
};
process.stdout.write(JSON.stringify(report) + '\n');
