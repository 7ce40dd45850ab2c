// One extractor per tool: what a tool's result (and arguments) add to the working memory.
// Results are read as the shop writes them (τ-bench JSON records, our compact JSON for the
// extra tools); anything unexpected is skipped, never thrown: a memory gap is better than a
// lost turn.
import { upsertCustomer, upsertFact, upsertOrder, upsertProduct, type Tick } from './merge.ts';
import { MEMORY_LIMITS, type OrderEntry, type OrderItemEntry, type PaymentMethodEntry, type VariantEntry, type WorkingMemory } from './working-memory.ts';

export interface ObservedCall {
  callId: string;
  name: string;
  arguments: Record<string, unknown>;
  result: string;
}

export type Extractor = (m: WorkingMemory, c: ObservedCall, t: Tick) => void;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const numOf = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' && !isNaN(Number(v)) ? Number(v) : undefined);
const texts = (v: unknown): Record<string, string> | undefined => {
  if (!isObj(v)) return undefined;
  const out: Record<string, string> = {};
  for (const k of Object.keys(v)) {
    const x = str(v[k]);
    if (x !== undefined) out[k] = x;
  }
  return out;
};
const strList = (v: unknown): string[] => (Array.isArray(v) ? v.map(str).filter((x): x is string => x !== undefined) : []);

export function parseJson(text: string): unknown {
  const s = text.trim();
  if (s[0] !== '{' && s[0] !== '[') return undefined;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}

// ── customers ────────────────────────────────────────────────────────────────────────────

const identified: Extractor = (m, c, t) => {
  const id = c.result.trim();
  if (!id || id.startsWith('Error') || /\s/.test(id)) return;
  const a = c.arguments;
  const name = [str(a.first_name), str(a.last_name)].filter(Boolean).join(' ') || undefined;
  upsertCustomer(m, { user_id: id, ...(name ? { name } : {}), ...(str(a.email) ? { email: str(a.email) } : {}) }, t);
};

function paymentMethods(v: unknown): PaymentMethodEntry[] {
  if (!isObj(v)) return [];
  return Object.entries(v).map(([id, p]) => {
    const o = isObj(p) ? p : {};
    const pm: PaymentMethodEntry = { id: str(o.id) ?? id, source: str(o.source) ?? 'unknown' };
    if (str(o.brand)) pm.brand = str(o.brand)!;
    if (str(o.last_four)) pm.last_four = str(o.last_four)!;
    if (numOf(o.balance) !== undefined) pm.balance = numOf(o.balance)!;
    return pm;
  });
}

/** A user record (get_user_details, modify_user_address). */
const userRecord: Extractor = (m, c, t) => {
  const u = parseJson(c.result);
  if (!isObj(u)) return;
  const userId = str(c.arguments.user_id) ?? str(u.user_id);
  if (!userId) return;
  const n = isObj(u.name) ? [str(u.name.first_name), str(u.name.last_name)].filter(Boolean).join(' ') : str(u.name);
  const address = texts(u.address);
  upsertCustomer(
    m,
    {
      user_id: userId,
      ...(n ? { name: n } : {}),
      ...(str(u.email) ? { email: str(u.email) } : {}),
      ...(address ? { address } : {}),
      payment_methods: paymentMethods(u.payment_methods),
      orders: strList(u.orders),
    },
    t,
  );
};

// ── orders ───────────────────────────────────────────────────────────────────────────────

const ORDER_EXTRA_KEYS = [
  'cancel_reason',
  'return_items',
  'return_payment_method_id',
  'exchange_items',
  'exchange_new_items',
  'exchange_payment_method_id',
  'exchange_price_difference',
];

/** An item of an order record; fields in this order (the stored JSON's). Each read once: every order write and read runs this. */
function orderItem(i: Obj): OrderItemEntry {
  const item: OrderItemEntry = { item_id: str(i.item_id) ?? '?' };
  const productId = str(i.product_id);
  if (productId) item.product_id = productId;
  const name = str(i.name);
  if (name) item.name = name;
  const price = numOf(i.price);
  if (price !== undefined) item.price = price;
  const options = texts(i.options);
  if (options) item.options = options;
  return item;
}

/** A full order record (get_order_details and every order write). */
function orderFromRecord(o: Obj): (Partial<OrderEntry> & { order_id: string }) | undefined {
  const id = str(o.order_id);
  if (!id) return undefined;
  const items = Array.isArray(o.items) ? o.items.filter(isObj).map(orderItem) : undefined;
  const payments = Array.isArray(o.payment_history)
    ? o.payment_history.filter(isObj).map((p) => {
        const type = str(p.transaction_type) ?? 'payment';
        return `${type} ${str(p.amount) ?? '?'} ${type === 'refund' ? 'to' : 'via'} ${str(p.payment_method_id) ?? '?'}`;
      })
    : undefined;
  const shipments = Array.isArray(o.fulfillments)
    ? o.fulfillments.filter(isObj).map((f) => `tracking ${strList(f.tracking_id).join(',')} items ${strList(f.item_ids).join(',')}`)
    : undefined;
  const extra: Record<string, string> = {};
  for (const k of ORDER_EXTRA_KEYS) {
    const v = o[k];
    if (Array.isArray(v)) extra[k] = strList(v).join(',');
    else if (str(v) !== undefined) extra[k] = str(v)!;
  }
  const address = texts(o.address);
  return {
    order_id: id,
    ...(str(o.status) ? { status: str(o.status)! } : {}),
    ...(address ? { address } : {}),
    ...(items ? { items } : {}),
    ...(payments ? { payments } : {}),
    ...(shipments ? { shipments } : {}),
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}

const orderRecord: Extractor = (m, c, t) => {
  const o = parseJson(c.result);
  if (!isObj(o)) return;
  const patch = orderFromRecord(o);
  if (patch) upsertOrder(m, patch, t);
};

const orderStatus: Extractor = (m, c, t) => {
  const o = parseJson(c.result);
  if (!isObj(o) || !str(o.order_id)) return;
  const extra: Record<string, string> = {};
  for (const k of ['items', 'shipped_items', 'paid', 'refunded']) if (str(o[k]) !== undefined) extra[k] = str(o[k])!;
  const tracking = strList(o.tracking_ids);
  if (tracking.length) extra.tracking_ids = tracking.join(',');
  upsertOrder(m, { order_id: str(o.order_id)!, ...(str(o.status) ? { status: str(o.status)! } : {}), extra }, t);
};

const shippingInfo: Extractor = (m, c, t) => {
  const o = parseJson(c.result);
  if (!isObj(o) || !str(o.order_id)) return;
  const shipments = Array.isArray(o.shipments)
    ? o.shipments.filter(isObj).map((s) => {
        const when = str(s.delivered_at) ? `delivered ${str(s.delivered_at)}` : str(s.estimated_delivery) ? `eta ${str(s.estimated_delivery)}` : '';
        const detail = [str(s.carrier), str(s.service), str(s.status), when].filter(Boolean).join(', ');
        return `tracking ${str(s.tracking_id) ?? '?'} items ${strList(s.item_ids).join(',')} (${detail})`;
      })
    : [];
  upsertOrder(m, { order_id: str(o.order_id)!, ...(str(o.status) ? { status: str(o.status)! } : {}), ...(shipments.length ? { shipments } : {}) }, t);
};

// ── products ─────────────────────────────────────────────────────────────────────────────

function variant(id: string, v: Obj): VariantEntry {
  // Fields in this order (the stored JSON's), each read once: a product record has dozens.
  const out: VariantEntry = { item_id: str(v.item_id) ?? id };
  const options = texts(v.options);
  if (options) out.options = options;
  const price = numOf(v.price);
  if (price !== undefined) out.price = price;
  if (typeof v.available === 'boolean') out.available = v.available;
  return out;
}

const productRecord: Extractor = (m, c, t) => {
  const p = parseJson(c.result);
  if (!isObj(p) || !str(p.product_id)) return;
  const variants = isObj(p.variants) ? Object.entries(p.variants).filter(([, v]) => isObj(v)).map(([id, v]) => variant(id, v as Obj)) : [];
  upsertProduct(m, { product_id: str(p.product_id)!, ...(str(p.name) ? { name: str(p.name)! } : {}), variants: variants.slice(0, MEMORY_LIMITS.variants), allVariants: true }, t);
};

const productInfo: Extractor = (m, c, t) => {
  const p = parseJson(c.result);
  if (!isObj(p) || !str(p.product_id)) return;
  const info: Record<string, string> = {};
  for (const k of ['name_zh', 'brand', 'category', 'variants', 'available_variants']) if (str(p[k]) !== undefined) info[k] = str(p[k])!;
  if (Array.isArray(p.price_range) && p.price_range.length === 2) info.price_range = p.price_range.map(str).join('-');
  if (isObj(p.options)) for (const [k, v] of Object.entries(p.options)) info[`option ${k}`] = strList(v).join('/');
  upsertProduct(m, { product_id: str(p.product_id)!, ...(str(p.name) ? { name: str(p.name)! } : {}), info }, t);
};

const searchResults: Extractor = (m, c, t) => {
  const r = parseJson(c.result);
  if (!isObj(r) || !Array.isArray(r.products)) return;
  for (const p of r.products.filter(isObj)) {
    if (!str(p.product_id)) continue;
    const variants = Array.isArray(p.variants)
      ? p.variants.filter(isObj).map((v) => ({ ...variant('?', v), ...(v.in_stock === false ? { stock: 0 } : {}) }))
      : [];
    const info: Record<string, string> = {};
    for (const k of ['name_zh', 'brand', 'category']) if (str(p[k])) info[k] = str(p[k])!;
    upsertProduct(m, { product_id: str(p.product_id)!, ...(str(p.name) ? { name: str(p.name)! } : {}), info, variants }, t);
  }
  upsertFact(m.facts, `search:${str(c.arguments.query) ?? ''}`, `search "${str(c.arguments.query) ?? ''}": ${str(r.total_products) ?? '?'} products`, t, MEMORY_LIMITS.facts);
};

const inventory: Extractor = (m, c, t) => {
  const r = parseJson(c.result);
  if (!isObj(r) || !str(r.item_id) || !str(r.product_id)) return;
  const v: VariantEntry = { item_id: str(r.item_id)!, ...(texts(r.options) ? { options: texts(r.options)! } : {}) };
  if (typeof r.available === 'boolean') v.available = r.available;
  if (numOf(r.total_quantity) !== undefined) v.stock = numOf(r.total_quantity)!;
  upsertProduct(m, { product_id: str(r.product_id)!, ...(str(r.name) ? { name: str(r.name)! } : {}), variants: [v] }, t);
};

const productTypes: Extractor = (m, c, t) => {
  const r = parseJson(c.result);
  if (!isObj(r)) return;
  const list = Object.entries(r).map(([name, id]) => `${name}=${str(id) ?? '?'}`);
  upsertFact(m.facts, 'product_types', `product types (name=product_id): ${list.join('; ')}`, t, MEMORY_LIMITS.facts);
};

// ── other reads ──────────────────────────────────────────────────────────────────────────

const calculation: Extractor = (m, c, t) => {
  const e = str(c.arguments.expression) ?? '';
  upsertFact(m.facts, `calc:${e}`, `calculate(${e}) = ${c.result.trim()}`, t, MEMORY_LIMITS.facts);
};

const shippingQuote: Extractor = (m, c, t) => {
  const r = parseJson(c.result);
  if (!isObj(r)) return;
  const items = strList(c.arguments.item_ids).join(',');
  const opts = Array.isArray(r.options)
    ? r.options.filter(isObj).slice(0, 4).map((o) => `${str(o.carrier)} ${str(o.service)} $${str(o.cost)} ${str(o.days_min)}-${str(o.days_max)}d`)
    : [];
  const to = isObj(r.destination) ? `${str(r.destination.zip)} ${str(r.destination.country)}` : '';
  upsertFact(m.facts, `ship:${items}:${to}`, `shipping items ${items} to ${to}: ${opts.join('; ')}`, t, MEMORY_LIMITS.facts);
};

const nothing: Extractor = () => {};

// ── writes ───────────────────────────────────────────────────────────────────────────────

/**
 * A write's result is the changed record (done), an `Error: …` (refused by the shop), or the
 * confirmation policy's request to ask the customer first (a pending proposal).
 */
function write(record: Extractor): Extractor {
  return (m, c, t) => {
    const result = c.result.trim();
    const target = str(c.arguments.order_id) ?? str(c.arguments.user_id) ?? '';
    const parsed = parseJson(result);
    if (isObj(parsed)) {
      record(m, c, t);
      m.pending = m.pending.filter((p) => p.tool !== c.name || (str(p.args.order_id) ?? str(p.args.user_id) ?? '') !== target);
      const status = str(parsed.status);
      upsertFact(m.done, `${c.name}:${target}`, `${c.name} ${target} done${status ? ` → status ${status}` : ''}`, t, MEMORY_LIMITS.done);
      return;
    }
    if (result.startsWith('Error')) {
      upsertFact(m.done, `${c.name}:${target}`, `${c.name} ${target} refused: ${result.slice(0, 160)}`, t, MEMORY_LIMITS.done);
      return;
    }
    // Held back for confirmation: keep the exact call so the "yes" can repeat it.
    m.pending = m.pending.filter((p) => p.tool !== c.name || (str(p.args.order_id) ?? str(p.args.user_id) ?? '') !== target);
    m.pending.push({ tool: c.name, args: c.arguments, ref: t.ref });
    while (m.pending.length > 4) m.pending.shift();
  };
}

/** Tools this package knows; any other tool gets `genericExtractor`. */
export const EXTRACTORS: Readonly<Record<string, Extractor>> = {
  find_user_id_by_email: identified,
  find_user_id_by_name_zip: identified,
  get_user_details: userRecord,
  get_order_details: orderRecord,
  get_product_details: productRecord,
  list_all_product_types: productTypes,
  calculate: calculation,
  think: nothing,
  transfer_to_human_agents: nothing,
  cancel_pending_order: write(orderRecord),
  modify_pending_order_address: write(orderRecord),
  modify_pending_order_payment: write(orderRecord),
  modify_pending_order_items: write(orderRecord),
  return_delivered_order_items: write(orderRecord),
  exchange_delivered_order_items: write(orderRecord),
  modify_user_address: write(userRecord),
  process_return: write(orderRecord),
  search_products: searchResults,
  get_product_info: productInfo,
  check_inventory: inventory,
  calculate_shipping: shippingQuote,
  get_shipping_info: shippingInfo,
  check_order_status: orderStatus,
};

/** A tool of another pack: keep its `*_id` values so they survive the query. */
export const genericExtractor: Extractor = (m, c, t) => {
  if (c.result.trim().startsWith('Error')) return;
  const ids: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 3 || ids.length >= 12) return;
    if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (isObj(v)) for (const [k, x] of Object.entries(v)) {
      if (/(^|_)id$/.test(k) && str(x) !== undefined) ids.push(`${k}=${str(x)}`);
      else walk(x, depth + 1);
    }
  };
  walk(parseJson(c.result), 0);
  if (ids.length) upsertFact(m.facts, `${c.name}:${JSON.stringify(c.arguments)}`, `${c.name}: ${ids.join(', ')}`, t, MEMORY_LIMITS.facts);
};
