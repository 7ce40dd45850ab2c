// Builds (once per load) the search index of an engine's catalog.
import type { GeneratedCatalog } from '../catalog/generate.ts';
import type { ShopEngine } from '../engine/engine.ts';
import { deriveInventory } from '../engine/logistics.ts';
import { num } from '../py-json.ts';
import { SearchIndex, type IndexedProduct, type IndexedVariant } from './search-index.ts';

const cache = new WeakMap<ShopEngine, { generation: number; index: SearchIndex }>();

export function readCatalog(engine: ShopEngine): IndexedProduct[] {
  const stock = new Map<string, number>();
  for (const r of engine.sql('SELECT item_id, SUM(quantity) AS q FROM inventory GROUP BY item_id').iterate()) {
    stock.set(r.item_id as string, Number(r.q));
  }
  const byProduct = new Map<string, IndexedVariant[]>();
  for (const r of engine.sql('SELECT * FROM variants ORDER BY rowid').iterate()) {
    const v: IndexedVariant = {
      item_id: r.item_id as string,
      price: r.price as number,
      available: r.available === 1,
      stock: stock.get(r.item_id as string) ?? 0,
      options: JSON.parse(r.options as string),
      options_zh: JSON.parse(r.options_zh as string),
    };
    const list = byProduct.get(r.product_id as string);
    if (list) list.push(v);
    else byProduct.set(r.product_id as string, [v]);
  }
  const products: IndexedProduct[] = [];
  for (const r of engine.sql('SELECT product_id, name, name_zh, brand, category, description, description_zh FROM products ORDER BY seq').iterate()) {
    products.push({
      product_id: r.product_id as string,
      name: r.name as string,
      name_zh: r.name_zh as string,
      brand: r.brand as string,
      category: r.category as string,
      description: r.description as string,
      description_zh: r.description_zh as string,
      variants: byProduct.get(r.product_id as string) ?? [],
    });
  }
  return products;
}

/** The engine's search index, rebuilt after a new load. */
export function catalogIndex(engine: ShopEngine): SearchIndex {
  const hit = cache.get(engine);
  if (hit && hit.generation === engine.generation) return hit.index;
  const index = new SearchIndex(readCatalog(engine));
  cache.set(engine, { generation: engine.generation, index });
  return index;
}

/** An index straight from a generated catalog (benchmarks: no database round trip). */
export function indexFromCatalog(c: GeneratedCatalog): SearchIndex {
  const products: IndexedProduct[] = Object.values(c.products).map((p) => {
    const ext = c.extensions.products[p.product_id]!;
    return {
      product_id: p.product_id,
      name: p.name,
      name_zh: ext.name_zh,
      brand: ext.brand,
      category: ext.category,
      description: ext.description,
      description_zh: ext.description_zh,
      variants: Object.values(p.variants).map((v) => ({
        item_id: v.item_id,
        price: num(v.price),
        available: v.available,
        stock: Object.values(deriveInventory(v.item_id, v.available)).reduce((s, q) => s + q, 0),
        options: v.options,
        options_zh: ext.variants[v.item_id]?.options_zh ?? {},
      })),
    };
  });
  return new SearchIndex(products);
}
