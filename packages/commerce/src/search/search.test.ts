import { beforeAll, describe, expect, it } from 'vitest';
import { generateCatalog } from '../catalog/generate.ts';
import { ShopEngine } from '../engine/engine.ts';
import { catalogIndex } from './catalog-index.ts';
import type { SearchIndex } from './search-index.ts';
import { tokenize } from './tokenize.ts';
import { invokeTool } from '../tools/invoke.ts';

let engine: ShopEngine;
let index: SearchIndex;

beforeAll(() => {
  engine = new ShopEngine();
  engine.loadData(generateCatalog({ seed: 11, products: 120, users: 20, orders: 40 }));
  index = catalogIndex(engine);
});

const names = (q: Parameters<SearchIndex['search']>[0]): string[] => index.search(q).hits.map((h) => h.product.name);

describe('tokenize', () => {
  it('stems English plurals and segments Chinese', () => {
    expect(tokenize('Wireless Earbuds for the kids')).toEqual(['wireless', 'earbud', 'kid']);
    expect(tokenize('无线耳机')).toEqual(expect.arrayContaining(['耳机']));
  });
});

describe('search', () => {
  it('finds products by English name words, name matches first', () => {
    const hits = names({ query: 'wireless earbuds', limit: 3 });
    expect(hits.length).toBeGreaterThan(0);
    for (const n of hits) expect(n).toMatch(/Wireless Earbuds/);
  });

  it('finds the same products by their Chinese name', () => {
    const zh = index.search({ query: '无线耳机', limit: 3 }).hits;
    expect(zh.length).toBeGreaterThan(0);
    for (const h of zh) expect(h.product.name_zh).toContain('无线耳机');
  });

  it('filters variants by price range', () => {
    const r = index.search({ query: 'laptop', min_price: 500, max_price: 900, limit: 10 });
    for (const h of r.hits) for (const v of h.variants) expect(v.price >= 500 && v.price <= 900).toBe(true);
  });

  it('filters by options given in English or Chinese', () => {
    // Take real option values from the catalog so the test does not depend on the seed's draws.
    const shirt = index.products.find((p) => p.name.includes('T-Shirt'))!;
    const target = shirt.variants[0]!;
    const en = index.search({ query: 't-shirt', options: { color: target.options.color!, size: target.options.size! }, limit: 10 });
    expect(en.hits.map((h) => h.product.product_id)).toContain(shirt.product_id);
    for (const h of en.hits) for (const v of h.variants) expect(v.options).toMatchObject({ color: target.options.color, size: target.options.size });
    const zh = index.search({ query: 'T恤', options: { color: target.options_zh.color! }, limit: 10 });
    expect(zh.hits.map((h) => h.product.product_id)).toContain(shirt.product_id);
    for (const h of zh.hits) for (const v of h.variants) expect(v.options.color).toBe(target.options.color);
  });

  it('in_stock_only keeps available variants with stock', () => {
    const r = index.search({ query: 'mug lamp bottle chair shoes', in_stock_only: true, limit: 20 });
    for (const h of r.hits) for (const v of h.variants) expect(v.available && v.stock > 0).toBe(true);
  });

  it('variants matching query words come first', () => {
    const r = index.search({ query: 'black hoodie', limit: 1 });
    expect(r.hits[0]?.variants[0]?.options.color).toBe('black');
  });

  it('the search_products tool answers compact JSON', () => {
    const out = JSON.parse(invokeTool(engine, 'search_products', { query: '蓝牙音箱', max_price: 400, limit: 2 }, { customerId: null }).result);
    expect(out.products.length).toBeGreaterThan(0);
    expect(out.products[0].name_zh).toContain('蓝牙音箱');
    expect(out.total_products).toBeGreaterThanOrEqual(out.products.length);
  });

  it('nothing found is an empty list, not an error', () => {
    expect(index.search({ query: 'zzzqqq' })).toEqual({ total: 0, hits: [] });
  });
});
