// Differential test on the real τ-bench data: hundreds of random tool calls (valid ones and
// every kind of failing one) run through our tool layer and through an independent Python
// reading of the README (testing/taubench_reference.py). Result strings must be identical
// byte for byte — Python's json.dumps and float arithmetic are the ground truth — and so must
// the final state. Skipped without the data folder or without python3.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../catalog/rng.ts';
import { ShopEngine } from '../engine/engine.ts';
import { createReplaySession } from '../replay/replay-session.ts';

const DIR = process.env.TAUBENCH_DIR ?? join(import.meta.dirname, '../../../../../shared/taubench');
const hasData = existsSync(join(DIR, 'orders.json'));
const hasPython = spawnSync('python3', ['--version']).status === 0;
if (!hasData || !hasPython) console.warn('[commerce] τ-bench data or python3 missing: skipping the differential test');

interface RawOrder {
  order_id: string;
  user_id: string;
  status: string;
  items: Array<{ item_id: string; product_id: string }>;
}
interface RawProduct {
  variants: Record<string, { available: boolean }>;
}

function makeCalls(n: number): Array<{ name: string; as: string; arguments: Record<string, unknown> }> {
  const orders = Object.values(JSON.parse(readFileSync(join(DIR, 'orders.json'), 'utf8')) as Record<string, RawOrder>);
  const users = JSON.parse(readFileSync(join(DIR, 'users.json'), 'utf8')) as Record<string, { payment_methods: Record<string, unknown> }>;
  const products = JSON.parse(readFileSync(join(DIR, 'products.json'), 'utf8')) as Record<string, RawProduct>;
  const rng = new Rng(2024);
  // Focus on a few hundred orders so calls meet states earlier calls created.
  const pool = rng.sample(orders, 700);
  const calls: Array<{ name: string; as: string; arguments: Record<string, unknown> }> = [];
  const address = () => ({ address1: `${rng.int(1, 999)} Test Street`, address2: rng.chance(0.5) ? '' : 'Apt 2', city: 'Austin', state: 'TX', country: 'USA', zip: rng.digits(5) });
  for (let i = 0; i < n; i++) {
    const o = rng.pick(pool);
    const pmIds = Object.keys(users[o.user_id]!.payment_methods);
    const pm = rng.chance(0.9) ? rng.pick(pmIds) : rng.pick(['gift_card_0000000', 'credit_card_0000000', 'paypal_0000000']);
    const items = o.items.map((x) => x.item_id);
    const pickItems = (): string[] => {
      const k = rng.int(1, Math.min(3, items.length + 1));
      const chosen = Array.from({ length: k }, () => (rng.chance(0.95) ? rng.pick(items) : '0000000000'));
      return chosen;
    };
    const newFor = (ids: string[]): string[] => {
      const out = ids.map((id) => {
        const item = o.items.find((x) => x.item_id === id);
        const variants = item ? Object.keys(products[item.product_id]!.variants) : ['1111111111'];
        return rng.chance(0.95) ? rng.pick(variants) : '1111111111';
      });
      return rng.chance(0.05) ? out.slice(1) : out;
    };
    const a = { order_id: rng.chance(0.97) ? o.order_id : '#W0000000' };
    const pickTool = rng.int(0, 10);
    const as = o.user_id;
    switch (pickTool) {
      case 0:
        calls.push({ name: 'cancel_pending_order', as, arguments: { ...a, reason: rng.pick(['no longer needed', 'ordered by mistake', 'changed my mind']) } });
        break;
      case 1:
        calls.push({ name: 'modify_pending_order_address', as, arguments: { ...a, ...address() } });
        break;
      case 2:
        calls.push({ name: 'modify_pending_order_payment', as, arguments: { ...a, payment_method_id: pm } });
        break;
      case 3:
      case 4: {
        const ids = pickItems();
        calls.push({ name: 'modify_pending_order_items', as, arguments: { ...a, item_ids: ids, new_item_ids: newFor(ids), payment_method_id: pm } });
        break;
      }
      case 5:
        calls.push({ name: 'return_delivered_order_items', as, arguments: { ...a, item_ids: pickItems(), payment_method_id: pm } });
        break;
      case 6:
      case 7: {
        const ids = pickItems();
        calls.push({ name: 'exchange_delivered_order_items', as, arguments: { ...a, item_ids: ids, new_item_ids: newFor(ids), payment_method_id: pm } });
        break;
      }
      case 8:
        calls.push({ name: 'modify_user_address', as, arguments: { user_id: o.user_id, ...address() } });
        break;
      case 9:
        calls.push({ name: 'get_user_details', as, arguments: { user_id: o.user_id } });
        break;
      default: {
        const x = `${rng.int(0, 999)}.${rng.int(0, 99)}`;
        const y = `${rng.int(0, 99)}.${rng.int(0, 9)}`;
        calls.push({ name: 'calculate', as, arguments: { expression: rng.pick([`${x} + ${y}`, `${x} * ${y}`, `${x} / ${y}`, `(${x} - ${y}) * 3`, `${x} // 0`]) } });
      }
    }
    if (rng.chance(0.3)) calls.push({ name: 'get_order_details', as, arguments: { order_id: o.order_id } });
  }
  return calls;
}

describe.skipIf(!hasData || !hasPython)('τ-bench semantics: differential test against a Python reading of the README', () => {
  it('gives identical result strings and final state for ~1,500 random calls', async () => {
    const calls = makeCalls(1200);
    const py = execFileSync('python3', [join(import.meta.dirname, '../testing/taubench_reference.py'), DIR], {
      input: calls.map((c) => JSON.stringify(c)).join('\n') + '\n',
      maxBuffer: 256 * 1024 * 1024,
    })
      .toString()
      .trim()
      .split('\n');
    const engine = new ShopEngine();
    engine.loadDir(DIR);
    const session = createReplaySession(engine);
    const okByTool = new Map<string, number>();
    let errors = 0;
    let successes = 0;
    for (let i = 0; i < calls.length; i++) {
      const ours = await session.handle(JSON.stringify({ op: 'call', ...calls[i] }));
      const theirs = JSON.parse(py[i]!) as { result: string };
      expect({ i, call: calls[i], result: (JSON.parse(ours) as { result: string }).result }).toEqual({ i, call: calls[i], result: theirs.result });
      if (!theirs.result.startsWith('Error')) okByTool.set(calls[i]!.name, (okByTool.get(calls[i]!.name) ?? 0) + 1);
      if (theirs.result.startsWith('Error')) errors++;
      else successes++;
    }
    // Both kinds must be well represented for the comparison to mean something.
    expect(errors).toBeGreaterThan(100);
    expect(successes).toBeGreaterThan(100);
    for (const tool of ['cancel_pending_order', 'modify_pending_order_address', 'modify_pending_order_payment', 'modify_pending_order_items', 'return_delivered_order_items', 'exchange_delivered_order_items', 'modify_user_address']) {
      expect(okByTool.get(tool) ?? 0, tool).toBeGreaterThanOrEqual(5);
    }
    const finalState = JSON.parse(py[calls.length]!) as { users: unknown; orders: unknown };
    const ex = engine.exportAll();
    expect(ex.users).toEqual(finalState.users);
    expect(ex.orders).toEqual(finalState.orders);
  });
});
