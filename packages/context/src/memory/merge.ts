// Upserts of memory entities. A later observation of an entity refines the earlier one (a
// search's sample of variants is completed by the product's full record; a status check
// updates a status) without losing ids the later one does not repeat.
import type { CustomerEntry, OrderEntry, ProductEntry, VariantEntry, WorkingMemory } from './working-memory.ts';

export interface Tick {
  ref: number;
  call: string;
}

export function upsertCustomer(m: WorkingMemory, patch: Partial<CustomerEntry> & { user_id: string }, t: Tick): void {
  const old = m.customer && m.customer.user_id === patch.user_id ? m.customer : undefined;
  m.customer = { ...old, ...defined(patch), ref: t.ref, call: t.call };
}

export function upsertOrder(m: WorkingMemory, patch: Partial<OrderEntry> & { order_id: string }, t: Tick): void {
  const i = m.orders.findIndex((o) => o.order_id === patch.order_id);
  const old = i >= 0 ? m.orders[i] : undefined;
  const next: OrderEntry = { ...old, ...defined(patch), extra: { ...old?.extra, ...patch.extra }, ref: t.ref, call: t.call };
  if (next.extra && Object.keys(next.extra).length === 0) delete next.extra;
  if (i >= 0) m.orders[i] = next;
  else m.orders.push(next);
}

export function upsertProduct(m: WorkingMemory, patch: Partial<ProductEntry> & { product_id: string }, t: Tick): void {
  const i = m.products.findIndex((p) => p.product_id === patch.product_id);
  const old = i >= 0 ? m.products[i] : undefined;
  const variants = mergeVariants(old?.variants ?? [], patch.variants ?? [], patch.allVariants === true);
  const next: ProductEntry = {
    ...old,
    ...defined(patch),
    info: { ...old?.info, ...patch.info },
    ...(variants.length ? { variants } : {}),
    allVariants: patch.allVariants === true || old?.allVariants === true,
    ref: t.ref,
    call: t.call,
  };
  if (next.info && Object.keys(next.info).length === 0) delete next.info;
  if (i >= 0) m.products[i] = next;
  else m.products.push(next);
}

/** Variants by item id; a complete list replaces the set, a partial one refines it. */
function mergeVariants(old: VariantEntry[], add: VariantEntry[], complete: boolean): VariantEntry[] {
  const byId = new Map<string, VariantEntry>();
  for (const v of complete ? [] : old) byId.set(v.item_id, v);
  for (const v of add) byId.set(v.item_id, { ...(complete ? old.find((o) => o.item_id === v.item_id) : byId.get(v.item_id)), ...defined(v) });
  return [...byId.values()];
}

export function upsertFact(list: WorkingMemory['facts'], key: string, text: string, t: Tick, max: number): void {
  const i = list.findIndex((f) => f.key === key);
  if (i >= 0) list.splice(i, 1);
  list.push({ key, text, ref: t.ref, call: t.call });
  while (list.length > max) list.shift();
}

/**
 * `o` without its undefined fields, keys in the same order. A loop, not entries → filter →
 * fromEntries: it runs on every variant of every product a turn shows. The keys are our entry
 * types' own fields (never a tool's), so a plain assignment defines each.
 */
function defined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}
