// Tools beyond τ-bench: catalog search, product info, stock, shipping quotes, tracking, order
// status and a return shortcut. Answers are compact JSON (Chinese kept readable for the model).
import type { ShopEngine } from '../engine/engine.ts';
import { zoneFor } from '../engine/logistics.ts';
import type { Warehouse } from '../engine/types.ts';
import { num } from '../py-json.ts';
import { catalogIndex } from '../search/catalog-index.ts';
import type { Args } from './params.ts';
import { isOutcome, ownOrder, type ToolOutcome } from './outcome.ts';
import { returnDeliveredOrderItems } from './taubench-writes.ts';

type Ctx = { customerId: string | null };
const MAX_VARIANTS_SHOWN = 5;
const round2 = (x: number): number => Math.round(x * 100) / 100;

export function searchProducts(engine: ShopEngine, a: Args<'search_products'>): ToolOutcome {
  const { total, hits } = catalogIndex(engine).search(a);
  return {
    result: JSON.stringify({
      query: a.query,
      total_products: total,
      products: hits.map((h) => ({
        product_id: h.product.product_id,
        name: h.product.name,
        name_zh: h.product.name_zh,
        brand: h.product.brand,
        category: h.product.category,
        matching_variants: h.variants.length,
        variants: h.variants.slice(0, MAX_VARIANTS_SHOWN).map((v) => ({
          item_id: v.item_id,
          options: v.options,
          price: v.price,
          available: v.available,
          in_stock: v.available && v.stock > 0,
        })),
      })),
    }),
  };
}

export function getProductInfo(engine: ShopEngine, a: Args<'get_product_info'>): ToolOutcome {
  const p = engine.sql('SELECT * FROM products WHERE product_id = ?').get(a.product_id);
  if (!p) return { result: 'Error: product not found' };
  const rows = engine.sql('SELECT price, available, options FROM variants WHERE product_id = ?').all(a.product_id);
  const optionValues: Record<string, string[]> = {};
  let min = Infinity;
  let max = -Infinity;
  let available = 0;
  for (const r of rows) {
    min = Math.min(min, r.price as number);
    max = Math.max(max, r.price as number);
    if (r.available === 1) available++;
    for (const [k, v] of Object.entries(JSON.parse(r.options as string) as Record<string, string>)) {
      const list = (optionValues[k] ??= []);
      if (!list.includes(v)) list.push(v);
    }
  }
  return {
    result: JSON.stringify({
      product_id: p.product_id,
      name: p.name,
      name_zh: p.name_zh,
      brand: p.brand,
      category: p.category,
      description: p.description,
      description_zh: p.description_zh,
      price_range: rows.length ? [min, max] : [],
      variants: rows.length,
      available_variants: available,
      options: optionValues,
    }),
  };
}

function warehouses(engine: ShopEngine): Warehouse[] {
  return engine.sql('SELECT * FROM warehouses ORDER BY warehouse_id').all() as unknown as Warehouse[];
}

export function checkInventory(engine: ShopEngine, a: Args<'check_inventory'>): ToolOutcome {
  const v = engine.sql('SELECT v.*, p.name FROM variants v JOIN products p USING (product_id) WHERE item_id = ?').get(a.item_id);
  if (!v) return { result: 'Error: item not found' };
  const stock = new Map<string, number>();
  for (const r of engine.sql('SELECT warehouse_id, quantity FROM inventory WHERE item_id = ?').all(a.item_id)) {
    stock.set(r.warehouse_id as string, Number(r.quantity));
  }
  const byWh = warehouses(engine).map((w) => ({ warehouse_id: w.warehouse_id, location: `${w.city}, ${w.state}`, quantity: stock.get(w.warehouse_id) ?? 0 }));
  const total = byWh.reduce((s, w) => s + w.quantity, 0);
  return {
    result: JSON.stringify({
      item_id: a.item_id,
      product_id: v.product_id,
      name: v.name,
      options: JSON.parse(v.options as string),
      available: v.available === 1,
      total_quantity: v.available === 1 ? total : 0,
      warehouses: byWh,
    }),
  };
}

export function calculateShipping(engine: ShopEngine, a: Args<'calculate_shipping'>): ToolOutcome {
  if (a.item_ids.length === 0) return { result: 'Error: no items given' };
  let weight = 0;
  const inStockAt = new Map<string, number>();
  for (const id of a.item_ids) {
    const v = engine.sql('SELECT weight_kg FROM variants WHERE item_id = ?').get(id);
    if (!v) return { result: `Error: item ${id} not found` };
    weight += v.weight_kg as number;
    for (const r of engine.sql('SELECT warehouse_id FROM inventory WHERE item_id = ? AND quantity > 0').all(id)) {
      inStockAt.set(r.warehouse_id as string, (inStockAt.get(r.warehouse_id as string) ?? 0) + 1);
    }
  }
  const country = a.country ?? 'USA';
  // Ship from the warehouse holding most of the items, the nearest one on ties.
  const rank = (w: Warehouse): number => ['near', 'mid', 'far', 'intl'].indexOf(zoneFor(w.zip, a.zip, country));
  const from = warehouses(engine).sort((x, y) => (inStockAt.get(y.warehouse_id) ?? 0) - (inStockAt.get(x.warehouse_id) ?? 0) || rank(x) - rank(y))[0];
  if (!from) return { result: 'Error: no warehouse available' };
  const zone = zoneFor(from.zip, a.zip, country);
  const options = engine
    .sql('SELECT * FROM shipping_rules WHERE zone = ?')
    .all(zone)
    .map((r) => ({
      carrier: r.carrier,
      service: r.service,
      cost: round2((r.base_cost as number) + (r.per_kg as number) * weight),
      days_min: r.days_min,
      days_max: r.days_max,
    }))
    .sort((x, y) => x.cost - y.cost);
  return {
    result: JSON.stringify({
      destination: { zip: a.zip, country },
      ship_from: { warehouse_id: from.warehouse_id, location: `${from.city}, ${from.state}` },
      zone,
      weight_kg: Math.round(weight * 1000) / 1000,
      options,
    }),
  };
}

export function getShippingInfo(engine: ShopEngine, a: Args<'get_shipping_info'>, ctx: Ctx): ToolOutcome {
  const order = ownOrder(engine, a.order_id, ctx.customerId);
  if (isOutcome(order)) return order;
  const shipments = order.fulfillments.flatMap((f) =>
    f.tracking_id.map((tid) => {
      const t = engine.getTracking(tid);
      return {
        tracking_id: tid,
        item_ids: f.item_ids,
        carrier: t?.carrier ?? 'unknown',
        service: t?.service ?? 'unknown',
        status: t?.status ?? 'unknown',
        shipped_at: t?.shipped_at ?? null,
        estimated_delivery: t?.estimated_delivery ?? null,
        delivered_at: t?.delivered_at ?? null,
        events: t?.events ?? [],
      };
    }),
  );
  return {
    result: JSON.stringify({
      order_id: order.order_id,
      status: order.status,
      shipments,
      ...(shipments.length === 0 ? { note: 'not shipped yet' } : {}),
    }),
  };
}

export function checkOrderStatus(engine: ShopEngine, a: Args<'check_order_status'>, ctx: Ctx): ToolOutcome {
  const order = ownOrder(engine, a.order_id, ctx.customerId);
  if (isOutcome(order)) return order;
  let paid = 0;
  let refunded = 0;
  for (const p of order.payment_history) {
    if (p.transaction_type === 'payment') paid += num(p.amount);
    else refunded += num(p.amount);
  }
  return {
    result: JSON.stringify({
      order_id: order.order_id,
      status: order.status,
      items: order.items.length,
      shipped_items: order.fulfillments.reduce((s, f) => s + f.item_ids.length, 0),
      tracking_ids: order.fulfillments.flatMap((f) => f.tracking_id),
      paid: round2(paid),
      refunded: round2(refunded),
    }),
  };
}

export function processReturn(engine: ShopEngine, a: Args<'process_return'>, ctx: Ctx): ToolOutcome {
  const order = ownOrder(engine, a.order_id, ctx.customerId);
  if (isOutcome(order)) return order;
  const pm = a.payment_method_id ?? order.payment_history[0]?.payment_method_id ?? '';
  return returnDeliveredOrderItems(engine, { order_id: a.order_id, item_ids: a.item_ids, payment_method_id: pm }, ctx);
}
