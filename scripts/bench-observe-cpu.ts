// CPU of the tool-worker's observe step without queues, Redis or HTTP: what it computes when a
// turn's last result lands (the turn's results folded into the stored working memory, the loop
// history's entry and loop detection over the query's history). Each query has an earlier turn
// (get_user_details) and ends a turn of two calls (get_order_details and get_product_details of
// one of the order's products) on τ-bench records; every fifth query repeats the order lookup, so
// detection hashes calls too. Deterministic like bench-turn-cpu.ts: `checksum` (a hash of every
// stored memory and verdict) must be equal between two trees that compute the same step, and
// the CPU figure is one process's, so before/after can be compared on a busy machine.
//
//   node scripts/bench-observe-cpu.ts [--tree /work/wt/base] [--queries 3000] [--data $TAUBENCH_DIR]
//
// --tree runs another checkout's code (e.g. the "before" of a change) with this harness.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

type Steps = typeof import('../packages/steps/src/index.ts');
type Control = typeof import('@steward/control');
type Kernel = typeof import('../packages/control/src/kernel/index.ts');

const { values: a } = parseArgs({
  options: {
    tree: { type: 'string', default: new URL('../', import.meta.url).pathname },
    queries: { type: 'string', default: '3000' },
    data: { type: 'string', default: process.env.TAUBENCH_DIR ?? '../shared/taubench' },
  },
});
const tree = resolve(a.tree);
const steps = (await import(`${tree}/packages/steps/src/index.ts`)) as Steps;
const control = (await import(`${tree}/packages/control/src/index.ts`)) as Control;
const kernel = (await import(`${tree}/packages/control/src/kernel/index.ts`)) as Kernel;

type Row = Record<string, unknown> & { items?: { product_id: string }[] };
const load = (f: string) => JSON.parse(readFileSync(resolve(a.data, f), 'utf8')) as Record<string, Row>;
const orders = Object.values(load('orders.json'));
const products = load('products.json');
const users = load('users.json');

interface Result {
  name: string;
  callId: string;
  result: string;
  ok: boolean;
  cacheHit: boolean;
}
const result = (name: string, callId: string, row: unknown): Result => ({ name, callId, result: JSON.stringify(row), ok: true, cacheHit: false });
const digest = createHash('sha256');

function query(i: number): void {
  const o = orders[i % orders.length]!;
  const userId = String(o.user_id);
  const productId = o.items?.[0]?.product_id ?? '';
  // The stored memory and history as the earlier turn left them.
  const first = [result('get_user_details', `a${i}`, users[userId])];
  const firstArgs = [{ user_id: userId }];
  const stored = steps.foldToolResults('', first, firstArgs);
  const history = [kernel.loopTurn(first, firstArgs)];
  if (i % 5 === 0) history.push(kernel.loopTurn([result('get_order_details', `p${i}`, o)], [{ order_id: o.order_id }]));
  // The turn that just ended.
  const results = [result('get_order_details', `b${i}`, o), result('get_product_details', `c${i}`, products[productId] ?? {})];
  const args = [{ order_id: o.order_id }, { product_id: productId }];
  const memory = steps.foldToolResults(stored, results, args);
  const verdict = control.detectLoop([...history, kernel.loopTurn(results, args)], { maxToolCalls: 30 });
  digest.update(memory).update(JSON.stringify(verdict));
}

const n = Number(a.queries);
for (let i = 0; i < 300; i++) query(i); // warm-up (JIT)
const t0 = process.cpuUsage();
const w0 = performance.now();
for (let i = 0; i < n; i++) query(i);
const cpu = process.cpuUsage(t0);
console.log(
  JSON.stringify({
    tree,
    queries: n,
    cpu_ms_per_query: Math.round(((cpu.user + cpu.system) / 1000 / n) * 1000) / 1000,
    wall_ms_per_query: Math.round(((performance.now() - w0) / n) * 1000) / 1000,
    checksum: digest.digest('hex').slice(0, 16),
  }),
);
