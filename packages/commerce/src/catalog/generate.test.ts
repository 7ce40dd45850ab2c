import { describe, expect, it } from 'vitest';
import { ShopEngine } from '../engine/engine.ts';
import { generateCatalog } from './generate.ts';
import { invokeTool } from '../tools/invoke.ts';

const SMALL = { products: 80, users: 150, orders: 600 };

describe('generateCatalog', () => {
  it('meets the demo sizes: ≥2,000 products, ≥50,000 SKUs, ≥5,000 users, ≥20,000 orders in every status', () => {
    const phases = new Set<string>();
    const c = generateCatalog({ seed: 42, onProgress: (phase) => phases.add(phase) });
    const skus = Object.values(c.products).reduce((s, p) => s + Object.keys(p.variants).length, 0);
    expect(Object.keys(c.products).length).toBeGreaterThanOrEqual(2_000);
    expect(skus).toBeGreaterThanOrEqual(50_000);
    expect(Object.keys(c.users).length).toBeGreaterThanOrEqual(5_000);
    expect(Object.keys(c.orders).length).toBeGreaterThanOrEqual(20_000);
    const statuses = new Set(Object.values(c.orders).map((o) => o.status));
    for (const s of ['pending', 'processed', 'delivered', 'cancelled', 'pending (item modified)', 'return requested', 'exchange requested']) {
      expect(statuses).toContain(s);
    }
    const categories = new Set(Object.values(c.extensions.products).map((p) => p.category));
    for (const cat of ['electronics', 'apparel', 'home', 'kitchen', 'sports', 'beauty', 'toys', 'books']) expect(categories).toContain(cat);
    expect([...phases].sort()).toEqual(['orders', 'products', 'users']);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = JSON.stringify(generateCatalog({ seed: 7, ...SMALL }));
    expect(JSON.stringify(generateCatalog({ seed: 7, ...SMALL }))).toBe(a);
    expect(JSON.stringify(generateCatalog({ seed: 8, ...SMALL }))).not.toBe(a);
  });

  it('writes consistent records: ids, payments, fulfillments, bilingual names, gift card ids', () => {
    const c = generateCatalog({ seed: 3, ...SMALL });
    for (const o of Object.values(c.orders)) {
      expect(o.order_id).toMatch(/^#W\d{7}$/);
      const user = c.users[o.user_id]!;
      expect(user.orders).toContain(o.order_id);
      for (const p of o.payment_history) expect(Object.keys(user.payment_methods)).toContain(p.payment_method_id);
      for (const it of o.items) expect(c.products[it.product_id]!.name).toBe(it.name);
      if (['processed', 'delivered', 'return requested', 'exchange requested'].includes(o.status)) expect(o.fulfillments.length).toBeGreaterThan(0);
      if (o.status === 'cancelled') expect(o.payment_history.map((p) => p.transaction_type)).toEqual(['payment', 'refund']);
    }
    for (const [id, ext] of Object.entries(c.extensions.products)) {
      expect(ext.name_zh).toMatch(/[\u4e00-\u9fff]/);
      expect(ext.description_zh).toMatch(/[\u4e00-\u9fff]/);
      for (const v of Object.keys(c.products[id]!.variants)) expect(Object.keys(ext.variants[v]!.options_zh).length).toBeGreaterThan(0);
    }
    for (const u of Object.values(c.users)) {
      for (const [pmId, pm] of Object.entries(u.payment_methods)) {
        expect(pm.id).toBe(pmId);
        expect(pmId.startsWith(pm.source)).toBe(true);
      }
    }
  });

  it('loads into the engine and the τ-bench tools work on it', () => {
    const c = generateCatalog({ seed: 5, ...SMALL });
    const engine = new ShopEngine();
    engine.loadData(c);
    expect(engine.exportAll()).toEqual(JSON.parse(JSON.stringify({ users: c.users, orders: c.orders, products: c.products })));
    const o = Object.values(c.orders).find((x) => x.status === 'pending')!;
    const r = invokeTool(engine, 'cancel_pending_order', { order_id: o.order_id, reason: 'no longer needed' }, { customerId: o.user_id });
    expect(JSON.parse(r.result).status).toBe('cancelled');
    const info = JSON.parse(invokeTool(engine, 'get_product_info', { product_id: o.items[0]!.product_id }, { customerId: null }).result);
    expect(info.name_zh).toMatch(/[\u4e00-\u9fff]/);
  });
});
