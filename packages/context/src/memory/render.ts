// The working memory as prompt text, inside its own budget. Entities are listed most recently
// referenced first, each at the detail the conversation needs now (see renderMemory); over
// budget, the least recently referenced one-line entities leave first, and the customer and
// whatever this query, an open request, a recent message or a pending confirmation names only
// shrink (ids kept).
import { countTokens } from '../count-tokens.ts';
import type { CustomerEntry, OrderEntry, ProductEntry, VariantEntry, WorkingMemory } from './working-memory.ts';

export interface RenderMemoryOptions {
  model: string;
  maxTokens: number;
  /** Tool calls whose results the prompt shows in full (this query's steps): their entities are not repeated. */
  shownCalls?: ReadonlySet<string>;
  /** Recent messages and the current query: entities they name are protected from eviction. */
  recentText?: string;
  /**
   * Reference ticks counted as recent: the current query's tool steps (buildPrompt passes their
   * number). Default 0: only what the recent messages or a pending write name is "recent".
   */
  recentTicks?: number;
}

export const MEMORY_HEADER = '[Working memory: earlier tool results, latest first; use these exact ids]';

interface Piece {
  ref: number;
  protect: boolean;
  /** Renderings, each shorter than the last; all keep the entity's id. */
  levels: string[];
  level: number;
  dropped: boolean;
  /**
   * Tokens of each rendering, counted when first needed: a memory within its budget (the usual
   * case) never shrinks, and counting every shorter rendering of every entity up front was most
   * of the new text a turn tokenised for its memory (issue 17).
   */
  tokens: (number | undefined)[];
}

/** The rendered memory ('' when there is nothing to say) and what was left out. */
export function renderMemory(m: WorkingMemory, o: RenderMemoryOptions): { text: string; evicted: number; shrunk: number } {
  const shown = o.shownCalls ?? new Set<string>();
  const recent = o.recentText ?? '';
  const held = JSON.stringify(m.pending.map((p) => p.args));
  const since = m.seq - (o.recentTicks ?? 0);
  const named = (ids: string[]): boolean => ids.some((id) => held.includes(id) || recent.includes(id));
  const hidden = (x: { call?: string | undefined }): boolean => x.call !== undefined && shown.has(x.call);

  const pieces: Piece[] = [];
  const add = (ref: number, protect: boolean, levels: string[]): void => {
    pieces.push({ ref, protect, levels, level: 0, dropped: false, tokens: [] });
  };
  const tokensAt = (p: Piece, level: number): number => (p.tokens[level] ??= countTokens(`\n${p.levels[level]!}`, o.model));
  for (const p of m.pending) {
    add(Number.MAX_SAFE_INTEGER, true, [`Awaiting the customer's yes (proposed, not done): ${p.tool} ${JSON.stringify(p.args)}`]);
  }
  const entities: { ref: number; protect: boolean; levels: string[] }[] = [];
  // How much of an entity is rendered depends on how the conversation is using it now:
  //  - referenced during this query, or named by a write held for a yes: every detail;
  //  - named by an open request (what the customer wants changed; a product also by its name):
  //    an order's items with their products and payments, a product's variants;
  //  - named only in the recent messages (an answer listed it; they are in the prompt): its ids;
  //  - otherwise one line, its id and state. The details come back when it is referenced
  //    again, and the model can always read it again by that id.
  // The customer is always rendered whole.
  const asked = m.requests.filter((r) => !r.resolved).map((r) => r.text).join('\n');
  const askedLower = asked.toLowerCase();
  if (m.customer && !hidden(m.customer)) entities.push({ ref: m.customer.ref, protect: true, levels: customerLevels(m.customer) });
  for (const x of m.orders) {
    if (hidden(x)) continue;
    const ids = [x.order_id, ...(x.items ?? []).map((i) => i.item_id)];
    const levels = orderLevels(x);
    if (x.ref > since || ids.some((id) => held.includes(id))) entities.push({ ref: x.ref, protect: true, levels });
    else if (ids.some((id) => asked.includes(id))) entities.push({ ref: x.ref, protect: true, levels: levels.slice(1) });
    else if (named(ids)) entities.push({ ref: x.ref, protect: true, levels: levels.slice(2) });
    else entities.push({ ref: x.ref, protect: false, levels: [orderLine(x)] });
  }
  const wanted = wantedItems(m, `${recent}\n${asked}`, held);
  for (const x of m.products) {
    if (hidden(x)) continue;
    const ids = [x.product_id, ...(x.variants ?? []).map((v) => v.item_id)];
    const levels = productLevels(x, wanted);
    // An open request names a product by its name ("modify the Smartphone to 8GB RAM"): the
    // variants it can become must stay in view until the request is resolved.
    const requested = (x.name !== undefined && x.name.length >= 3 && askedLower.includes(x.name.toLowerCase())) || ids.some((id) => asked.includes(id));
    if (x.ref > since || ids.some((id) => held.includes(id))) entities.push({ ref: x.ref, protect: true, levels });
    else if (requested) entities.push({ ref: x.ref, protect: true, levels: levels.slice(1) });
    else if (named(ids)) entities.push({ ref: x.ref, protect: true, levels: levels.slice(2) });
    else entities.push({ ref: x.ref, protect: false, levels: [productLine(x)] });
  }
  entities.sort((a, b) => b.ref - a.ref);
  for (const e of entities) add(e.ref, e.protect, e.levels);
  for (const d of [...m.done].reverse()) add(d.ref, d.ref > since, [`Done: ${d.text}`]);
  for (const f of [...m.facts].reverse()) if (!hidden(f)) add(f.ref, f.ref > since, [f.text, f.text.length > 300 ? `${f.text.slice(0, 300)}…` : f.text]);
  if (pieces.length === 0) return { text: '', evicted: 0, shrunk: 0 };

  const header = countTokens(MEMORY_HEADER, o.model);
  let total = header + pieces.reduce((n, p) => n + tokensAt(p, 0), 0);
  const cost = (p: Piece): number => (p.dropped ? 0 : tokensAt(p, p.level));
  // Least recently referenced first: every unprotected piece shrinks (ids kept) before any
  // leaves; protected pieces shrink last and never leave.
  const order = [...pieces].sort((a, b) => a.ref - b.ref);
  const shrinkAll = (which: Piece[]): void => {
    for (let moved = true; moved && total > o.maxTokens; ) {
      moved = false;
      for (const p of which) {
        if (total <= o.maxTokens) break;
        if (p.dropped || p.level >= p.levels.length - 1) continue;
        const before = cost(p);
        p.level++;
        total -= before - cost(p);
        moved = true;
      }
    }
  };
  const loose = order.filter((p) => !p.protect);
  shrinkAll(loose);
  for (const p of loose) {
    if (total <= o.maxTokens) break;
    total -= cost(p);
    p.dropped = true;
  }
  shrinkAll(order.filter((p) => p.protect));
  const live = pieces.filter((p) => !p.dropped);
  return {
    text: [MEMORY_HEADER, ...live.map((p) => p.levels[p.level]!)].join('\n'),
    evicted: pieces.length - live.length,
    shrunk: live.filter((p) => p.level > 0).length,
  };
}

/** Address values in the usual field order (address1, address2, city, state, country, zip), empty ones left out. */
function addressText(a: Record<string, string> | undefined): string {
  if (!a) return '';
  const keys = ['address1', 'address2', 'city', 'state', 'country', 'zip'];
  const known = keys.filter((k) => a[k]).map((k) => a[k]!);
  const other = Object.entries(a).filter(([k, v]) => !keys.includes(k) && v).map(([k, v]) => `${k} ${v}`);
  return [...known, ...other].join(', ');
}

function customerLevels(c: CustomerEntry): string[] {
  const head = `Customer user_id=${c.user_id}${c.name ? ` · ${c.name}` : ''}${c.email ? ` · ${c.email}` : ''}`;
  const pms = (c.payment_methods ?? []).map(
    (p) => `${p.id} (${p.source}${p.brand ? ` ${p.brand}` : ''}${p.last_four ? ` ****${p.last_four}` : ''}${p.balance !== undefined ? `, balance ${p.balance}` : ''})`,
  );
  const lines = [head];
  if (c.address) lines.push(`  default address: ${addressText(c.address)}`);
  if (pms.length) lines.push(`  payment methods: ${pms.join('; ')}`);
  if (c.orders?.length) lines.push(`  orders: ${c.orders.join(', ')}`);
  return [lines.join('\n')];
}

/** Option pairs without JSON punctuation: "color blue, size M". */
function opts(o: Record<string, string> | undefined): string {
  return o ? Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ') : '';
}

function orderLevels(x: OrderEntry): string[] {
  const extra = x.extra ? Object.entries(x.extra).map(([k, v]) => `${k}=${v}`).join(', ') : '';
  const head = `Order ${x.order_id}${x.status ? ` · status ${x.status}` : ''}${extra ? ` · ${extra}` : ''}`;
  const item = (i: OrderEntry['items'] extends (infer I)[] | undefined ? I : never, withOptions: boolean): string => {
    const inner = [i.product_id ? `product ${i.product_id}` : '', withOptions ? opts(i.options) : ''].filter(Boolean).join('; ');
    return `  item ${i.item_id}:${i.name ? ` ${i.name}` : ''}${inner ? ` (${inner})` : ''}${i.price !== undefined ? ` $${i.price}` : ''}`;
  };
  const items = (x.items ?? []).map((i) => item(i, true));
  const itemsShort = (x.items ?? []).map((i) => item(i, false));
  const pay = x.payments?.length ? [`  payments: ${x.payments.join('; ')}`] : [];
  const ship = x.shipments?.length ? [`  shipments: ${x.shipments.join('; ')}`] : [];
  const addr = x.address ? [`  ship to: ${addressText(x.address)}`] : [];
  const full = [head, ...items, ...pay, ...ship, ...addr].join('\n');
  const compact = [head, ...itemsShort, ...pay].join('\n');
  const ids = `${head}${x.items?.length ? ` · item_ids ${x.items.map((i) => i.item_id).join(',')}` : ''}`;
  return [full, compact, ids];
}

/** An order the conversation is not acting on now: id and state. */
function orderLine(x: OrderEntry): string {
  return `Order ${x.order_id}${x.status ? ` · status ${x.status}` : ''}${x.items?.length ? ` · ${x.items.length} items` : ''}`;
}

/** A product the conversation is not acting on now: id and name. */
function productLine(x: ProductEntry): string {
  return `Product product_id ${x.product_id}${x.name ? ` ${x.name}` : ''}`;
}

/** Item ids the conversation is acting on: order items, a pending write's arguments, recent messages. */
function wantedItems(m: WorkingMemory, recent: string, held: string): Set<string> {
  const out = new Set<string>();
  for (const o of m.orders) for (const i of o.items ?? []) out.add(i.item_id);
  for (const p of m.products) for (const v of p.variants ?? []) if (held.includes(v.item_id) || recent.includes(v.item_id)) out.add(v.item_id);
  return out;
}

/** The option names of a product's variants, in order (the legend of its variant lines). */
function optionKeys(vs: readonly VariantEntry[]): string[] {
  const keys: string[] = [];
  for (const v of vs) for (const k of Object.keys(v.options ?? {})) if (!keys.includes(k)) keys.push(k);
  return keys;
}

/** One variant under its product's legend: "7345967645: gray, XS, matte $22.58" (only unavailability is said). */
function variantLine(v: VariantEntry, keys: readonly string[]): string {
  const state = v.available === false ? ' unavailable' : v.stock === 0 ? ' out of stock' : '';
  const values = keys.map((k) => v.options?.[k] ?? '-').join(', ');
  return `  ${v.item_id}: ${values}${v.price !== undefined ? ` $${v.price}` : ''}${state}${v.stock ? ` stock ${v.stock}` : ''}`;
}

function productLevels(x: ProductEntry, wanted: Set<string>): string[] {
  const info = x.info ? Object.entries(x.info).map(([k, v]) => `${k}=${v}`).join(', ') : '';
  const vs = x.variants ?? [];
  const keys = optionKeys(vs);
  const legend = vs.length ? ` · ${x.allVariants ? 'all' : 'some'} ${vs.length} variants (item_id: ${[...keys, 'price'].join(', ')}; available unless said):` : '';
  const name = `Product product_id ${x.product_id}${x.name ? ` ${x.name}` : ''}`;
  const full = [`${name}${info ? ` · ${info}` : ''}${legend}`, ...vs.map((v) => variantLine(v, keys))].join('\n');
  // Shorter: the variants that can be bought and the ones the conversation is about.
  const keep = vs.filter((v) => v.available !== false || wanted.has(v.item_id));
  const compact = [`${name}${legend}`, ...keep.map((v) => variantLine(v, keys)), ...(keep.length < vs.length ? [`  (+${vs.length - keep.length} unavailable variants not shown)`] : [])].join('\n');
  const few = vs.filter((v) => wanted.has(v.item_id));
  const ids = `${name}${vs.length ? ` · ${vs.length} variants` : ''}${few.length ? ` · variants in use: ${few.map((v) => `${v.item_id} (${opts(v.options)})`).join('; ')}` : ''}`;
  return [full, compact, ids];
}

/** The customer's unresolved requests, oldest (usually the task itself) first. */
export function renderRequests(m: WorkingMemory, exclude: ReadonlySet<string> = new Set()): string {
  const open = m.requests.filter((r) => !r.resolved && !exclude.has(r.text));
  if (open.length === 0) return '';
  return ["[The customer's open requests (not yet resolved), oldest first]", ...open.map((r) => `- ${r.text.replace(/\s+/g, ' ')}`)].join('\n');
}
