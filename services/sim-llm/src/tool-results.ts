// Reading τ-bench tool results. They arrive as strings that may be compacted or cut in the
// middle by the context manager, so every reader tries JSON first and falls back to regexes
// on the fields it needs.

export interface OrderItem {
  name: string;
  productId: string;
  itemId: string;
  price: number | undefined;
  options: Record<string, string>;
}

export interface OrderView {
  orderId: string | undefined;
  status: string;
  items: OrderItem[];
  trackingIds: string[];
  /** payment_history[0]: the original payment method. */
  paymentMethodId: string | undefined;
}

export function isError(result: string): boolean {
  return /^\s*Error\b/i.test(result);
}

export function isConfirmationRequired(result: string): boolean {
  return /^\s*Confirmation required/i.test(result);
}

export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const rec = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function field(text: string, name: string): string | undefined {
  return new RegExp(`"${name}"\\s*:\\s*"([^"]*)"`).exec(text)?.[1];
}

function stringOptions(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(rec(v) ?? {})) if (str(x) !== undefined) out[k] = str(x)!;
  return out;
}

export function parseOrder(result: string): OrderView | undefined {
  const j = rec(tryJson(result));
  if (j && typeof j.status === 'string') {
    const items = (Array.isArray(j.items) ? j.items : []).flatMap((it): OrderItem[] => {
      const r = rec(it);
      const itemId = str(r?.item_id);
      if (!r || !itemId) return [];
      return [{ name: str(r.name) ?? itemId, productId: str(r.product_id) ?? '', itemId, price: typeof r.price === 'number' ? r.price : undefined, options: stringOptions(r.options) }];
    });
    const fulfillments = Array.isArray(j.fulfillments) ? j.fulfillments : [];
    const trackingIds = fulfillments.flatMap((f) => {
      const t = rec(f)?.tracking_id;
      return (Array.isArray(t) ? t : [t]).map(str).filter((x): x is string => !!x);
    });
    const pay = rec(Array.isArray(j.payment_history) ? j.payment_history[0] : undefined);
    return { orderId: str(j.order_id), status: j.status, items, trackingIds, paymentMethodId: str(pay?.payment_method_id) };
  }
  return parseOrderLoosely(result);
}

/** A cut or compacted order: pick the fields out with regexes, in any key order. */
function parseOrderLoosely(text: string): OrderView | undefined {
  const status = field(text, 'status');
  if (!status) return undefined;
  // Flatten the nested option objects so that each item becomes one flat {…} to scan.
  const options: Record<string, string>[] = [];
  const flat = text.replace(/"options"\s*:\s*(\{[^{}]*\})/g, (_m, o: string) => {
    options.push(stringOptions(tryJson(o)));
    return `"options":${options.length - 1}`;
  });
  const items: OrderItem[] = [];
  for (const m of flat.matchAll(/\{[^{}]*"item_id"\s*:[^{}]*\}/g)) {
    const obj = m[0];
    const itemId = field(obj, 'item_id');
    if (!itemId) continue;
    const price = /"price"\s*:\s*([\d.]+)/.exec(obj)?.[1];
    const optIndex = /"options"\s*:\s*(\d+)/.exec(obj)?.[1];
    items.push({
      name: field(obj, 'name') ?? itemId,
      productId: field(obj, 'product_id') ?? '',
      itemId,
      price: price === undefined ? undefined : Number(price),
      options: optIndex === undefined ? {} : (options[Number(optIndex)] ?? {}),
    });
  }
  const tracking = /"tracking_id"\s*:\s*\[([^\]]*)\]/g;
  const trackingIds = [...text.matchAll(tracking)].flatMap((m) => (m[1] ?? '').match(/[\w-]+/g) ?? []);
  return { orderId: field(text, 'order_id'), status, items, trackingIds, paymentMethodId: field(text, 'payment_method_id') };
}

/** find_user_id_by_* returns the bare id (possibly JSON-quoted). */
export function parseUserId(result: string): string | undefined {
  const t = result.trim();
  const j = tryJson(t);
  const id = typeof j === 'string' ? j : t;
  return /^[\w.-]+$/.test(id) && !isError(id) ? id : undefined;
}

export interface UserView {
  orders: string[];
  name: string | undefined;
}

export function parseUser(result: string): UserView {
  const j = rec(tryJson(result));
  if (j) {
    const n = rec(j.name);
    const orders = Array.isArray(j.orders) ? j.orders.map(str).filter((x): x is string => !!x) : [];
    return { orders, name: str(n?.first_name) };
  }
  return { orders: [...new Set(result.match(/#W\d{7}/g) ?? [])], name: field(result, 'first_name') };
}

export interface ProductHit {
  name: string;
  /** The catalog's Mandarin name, when it has one. */
  nameZh?: string;
  productId: string | undefined;
  min: number | undefined;
  max: number | undefined;
}

/** search_products: an array of products, or {results|products|items:[…]}; prices as a range, a price or variants. */
export function parseSearch(result: string): ProductHit[] {
  const j = tryJson(result);
  const r = rec(j);
  const list = Array.isArray(j) ? j : (r?.results ?? r?.products ?? r?.items ?? r?.hits);
  if (Array.isArray(list)) return list.flatMap((p) => (rec(p) ? [hitFrom(rec(p)!)] : []));
  // Cut text: every "name" with the prices near it.
  const hits: ProductHit[] = [];
  for (const m of result.matchAll(/"name"\s*:\s*"([^"]+)"([^]*?)(?="name"\s*:|$)/g)) {
    const prices = [...(m[2] ?? '').matchAll(/"(?:price|min_price|max_price|min|max)"\s*:\s*([\d.]+)/g)].map((x) => Number(x[1]));
    hits.push({ name: m[1]!, productId: field(m[0], 'product_id'), min: prices.length ? Math.min(...prices) : undefined, max: prices.length ? Math.max(...prices) : undefined });
  }
  return hits;
}

function hitFrom(p: Record<string, unknown>): ProductHit {
  const prices: number[] = [];
  const push = (v: unknown): void => {
    if (typeof v === 'number') prices.push(v);
  };
  push(p.price);
  push(p.min_price);
  push(p.max_price);
  const range = p.price_range;
  if (Array.isArray(range)) range.forEach(push);
  else if (rec(range)) Object.values(rec(range)!).forEach(push);
  const variants = p.variants;
  for (const v of Array.isArray(variants) ? variants : Object.values(rec(variants) ?? {})) push(rec(v)?.price);
  const nameZh = str(p.name_zh);
  return {
    name: str(p.name) ?? str(p.title) ?? str(p.product_id) ?? '?',
    ...(nameZh ? { nameZh } : {}),
    productId: str(p.product_id) ?? str(p.id),
    min: prices.length ? Math.min(...prices) : undefined,
    max: prices.length ? Math.max(...prices) : undefined,
  };
}

export interface Variant {
  itemId: string;
  options: Record<string, string>;
  available: boolean;
  price: number | undefined;
}

export function parseProductVariants(result: string): Variant[] {
  const variants = rec(tryJson(result))?.variants;
  const list = Array.isArray(variants) ? variants : Object.values(rec(variants) ?? {});
  return list.flatMap((v): Variant[] => {
    const r = rec(v);
    const itemId = str(r?.item_id);
    if (!r || !itemId) return [];
    return [{ itemId, options: stringOptions(r.options), available: r.available !== false, price: typeof r.price === 'number' ? r.price : undefined }];
  });
}

export interface StockView {
  available: boolean | undefined;
  quantity: number | undefined;
}

export function parseStock(result: string): StockView {
  const avail = /"(?:available|in_stock|inStock)"\s*:\s*(true|false)/.exec(result)?.[1];
  // A total first: per-warehouse quantities may follow it.
  const qty =
    /"(?:total_quantity|total_stock|available_quantity)"\s*:\s*(\d+)/.exec(result)?.[1] ??
    /"(?:quantity|stock|qty|count|on_hand)"\s*:\s*(\d+)/.exec(result)?.[1];
  const quantity = qty === undefined ? undefined : Number(qty);
  return { available: avail === undefined ? (quantity === undefined ? undefined : quantity > 0) : avail === 'true', quantity };
}

export interface Shipment {
  trackingId: string;
  carrier: string | undefined;
  status: string | undefined;
  /** Expected delivery date (YYYY-MM-DD) while on the way. */
  eta: string | undefined;
  deliveredAt: string | undefined;
}

/** get_shipping_info: {shipments:[{tracking_id, carrier, status, estimated_delivery, delivered_at}]}. */
export function parseShipments(result: string): Shipment[] {
  const list = rec(tryJson(result))?.shipments;
  if (!Array.isArray(list)) return [];
  return list.flatMap((x): Shipment[] => {
    const r = rec(x);
    const trackingId = str(r?.tracking_id);
    if (!r || !trackingId) return [];
    const known = (v: unknown): string | undefined => (str(v) && str(v) !== 'unknown' ? str(v) : undefined);
    const day = (v: unknown): string | undefined => known(v)?.slice(0, 10);
    return [{ trackingId, carrier: known(r.carrier), status: known(r.status), eta: day(r.estimated_delivery), deliveredAt: day(r.delivered_at) }];
  });
}

export interface ShippingOption {
  carrier: string;
  service: string | undefined;
  cost: number;
  daysMin: number | undefined;
  daysMax: number | undefined;
}

/** calculate_shipping: {options:[{carrier, service, cost, days_min, days_max}]}, cheapest first. */
export function parseShippingOptions(result: string): ShippingOption[] {
  const list = rec(tryJson(result))?.options;
  if (!Array.isArray(list)) return [];
  const n = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  return list
    .flatMap((x): ShippingOption[] => {
      const r = rec(x);
      const cost = n(r?.cost);
      return r && cost !== undefined ? [{ carrier: str(r.carrier) ?? '?', service: str(r.service), cost, daysMin: n(r.days_min), daysMax: n(r.days_max) }] : [];
    })
    .sort((a, b) => a.cost - b.cost);
}
