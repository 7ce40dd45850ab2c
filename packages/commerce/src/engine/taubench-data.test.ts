// The real τ-bench retail data (read from ../shared/taubench, never copied): load, export, and
// records answered exactly as Python's json.dumps would. Skipped where the folder is absent.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { reformatJsonText, splitTopLevel } from '../py-json.ts';
import { ShopEngine } from './engine.ts';
import { invokeTool } from '../tools/invoke.ts';

const DIR = process.env.TAUBENCH_DIR ?? join(import.meta.dirname, '../../../../../shared/taubench');
const present = existsSync(join(DIR, 'orders.json'));
if (!present) console.warn(`[commerce] τ-bench data not found at ${DIR}: skipping the real-data tests`);

describe.skipIf(!present)('τ-bench retail data', () => {
  let engine: ShopEngine;
  const file = (f: string): string => readFileSync(join(DIR, f), 'utf8');
  beforeAll(() => {
    engine = new ShopEngine();
    engine.loadDir(DIR);
  });

  it('export right after load deep-equals the loaded files', () => {
    const ex = engine.exportAll();
    expect(ex.users).toEqual(JSON.parse(file('users.json')));
    expect(ex.orders).toEqual(JSON.parse(file('orders.json')));
    expect(ex.products).toEqual(JSON.parse(file('products.json')));
  });

  it('export keeps key order of users and orders (ids are not numeric)', () => {
    const ex = engine.exportAll();
    expect(Object.keys(ex.orders)).toEqual(splitTopLevel(file('orders.json')).map(([k]) => k));
    expect(Object.keys(ex.users)).toEqual(splitTopLevel(file('users.json')).map(([k]) => k));
  });

  it('every record is answered as the json.dumps text of the source record', () => {
    for (const [id, text] of splitTopLevel(file('orders.json'))) {
      const userId = (JSON.parse(text) as { user_id: string }).user_id;
      expect(invokeTool(engine, 'get_order_details', { order_id: id }, { customerId: userId }).result).toBe(reformatJsonText(text));
    }
    for (const [id, text] of splitTopLevel(file('users.json'))) {
      expect(invokeTool(engine, 'get_user_details', { user_id: id }, { customerId: id }).result).toBe(reformatJsonText(text));
    }
    for (const [id, text] of splitTopLevel(file('products.json'))) {
      expect(invokeTool(engine, 'get_product_details', { product_id: id }, { customerId: null }).result).toBe(reformatJsonText(text));
    }
  });

  it('keeps integral float prices like 247.0 and int gift card balances', () => {
    const withIntegral = splitTopLevel(file('orders.json')).find(([, t]) => /"price": \d+\.0\b/.test(t));
    expect(withIntegral?.[1]).toMatch(/"price": \d+\.0\b/);
    const [id, text] = withIntegral!;
    const userId = (JSON.parse(text) as { user_id: string }).user_id;
    expect(invokeTool(engine, 'get_order_details', { order_id: id }, { customerId: userId }).result).toMatch(/"price": \d+\.0, /);
  });

  it('identification works on the real users, and list_all_product_types has all 50 types', () => {
    const [id, text] = splitTopLevel(file('users.json'))[0]!;
    const u = JSON.parse(text) as { email: string; name: { first_name: string; last_name: string }; address: { zip: string } };
    expect(invokeTool(engine, 'find_user_id_by_email', { email: u.email.toUpperCase() }, { customerId: null }).identifiedUserId).toBe(id);
    expect(invokeTool(engine, 'find_user_id_by_name_zip', { first_name: u.name.first_name, last_name: u.name.last_name, zip: u.address.zip }, { customerId: null }).result).toBe(id);
    expect(Object.keys(JSON.parse(invokeTool(engine, 'list_all_product_types', {}, { customerId: null }).result))).toHaveLength(50);
  });

  it('a cancel on real data refunds and credits the gift card, and reset() restores the files', () => {
    const pending = splitTopLevel(file('orders.json'))
      .map(([, t]) => JSON.parse(t) as { order_id: string; user_id: string; status: string; payment_history: Array<{ payment_method_id: string; amount: number }> })
      .find((o) => o.status === 'pending' && o.payment_history[0]?.payment_method_id.includes('gift_card'))!;
    const before = JSON.parse(invokeTool(engine, 'get_user_details', { user_id: pending.user_id }, { customerId: pending.user_id }).result);
    const pm = pending.payment_history[0]!.payment_method_id;
    const r = invokeTool(engine, 'cancel_pending_order', { order_id: pending.order_id, reason: 'no longer needed' }, { customerId: pending.user_id });
    expect(JSON.parse(r.result).status).toBe('cancelled');
    const after = JSON.parse(invokeTool(engine, 'get_user_details', { user_id: pending.user_id }, { customerId: pending.user_id }).result);
    expect(after.payment_methods[pm].balance).toBe(Math.round((before.payment_methods[pm].balance + pending.payment_history[0]!.amount) * 100) / 100);
    engine.reset();
    expect(engine.exportAll().orders).toEqual(JSON.parse(file('orders.json')));
  });
});

describe.skipIf(!present)('exportJson', () => {
  it('is the loaded files in json.dumps form, key order and integral floats included', () => {
    const engine = new ShopEngine();
    engine.loadDir(DIR);
    const text = engine.exportJson();
    const file = (f: string): string => reformatJsonText(readFileSync(join(DIR, f), 'utf8'));
    expect(text).toBe(`{"users": ${file('users.json')}, "orders": ${file('orders.json')}, "products": ${file('products.json')}}`);
    expect(JSON.parse(text)).toEqual(engine.exportAll());
  });
});

describe.skipIf(!present)('catalog tools on the τ-bench data', () => {
  it('search_products finds τ-bench products in Chinese, with Chinese option values', () => {
    const engine = new ShopEngine();
    engine.loadDir(DIR);
    const r = JSON.parse(invokeTool(engine, 'search_products', { query: '红色 T恤', options: { color: '红色' } }, { customerId: null }).result) as {
      products: Array<{ name: string; variants: Array<{ options: { color: string } }> }>;
    };
    expect(r.products[0]!.name).toBe('T-Shirt');
    for (const v of r.products[0]!.variants) expect(v.options.color).toBe('red');
  });
});
