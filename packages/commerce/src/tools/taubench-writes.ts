// The order- and user-changing τ-bench tools. Checks run in τ-bench's order and the first
// failing one is the answer; arithmetic follows Python's int/float rules (see py-json.ts).
import type { ShopEngine } from '../engine/engine.ts';
import type { Order, OrderItem, Product, User } from '../engine/types.ts';
import { num, pyAbs, pyAdd, pyRoundNum, pySub, type PyNum } from '../py-json.ts';
import type { Args } from './params.ts';
import { isOutcome, ownOrder, ownUser, PM_NOT_FOUND, type ToolOutcome } from './outcome.ts';

type Ctx = { customerId: string | null };

function touchedBy(order: Order, balanceChanged: boolean): string[] {
  return balanceChanged ? [`order:${order.order_id}`, `user:${order.user_id}`] : [`order:${order.order_id}`];
}

/** Saves the order (and the owner when a gift card balance moved) and answers with the order. */
function commit(engine: ShopEngine, order: Order, owner: User | undefined): ToolOutcome {
  if (owner) engine.putUser(order.user_id, owner);
  return { result: engine.putOrder(order), touched: touchedBy(order, owner !== undefined) };
}

function owner(engine: ShopEngine, order: Order): User {
  const u = engine.getUser(order.user_id);
  if (!u) throw new Error(`order ${order.order_id} has no user ${order.user_id}`);
  return u;
}

function countOf(list: readonly string[], id: string): number {
  let n = 0;
  for (const x of list) if (x === id) n++;
  return n;
}

/** First requested id listed more often than the order holds it, if any. */
function missingItem(order: Order, itemIds: readonly string[]): string | undefined {
  const all = order.items.map((i) => i.item_id);
  return itemIds.find((id) => countOf(itemIds, id) > countOf(all, id));
}

const firstItem = (order: Order, itemId: string): OrderItem => order.items.find((i) => i.item_id === itemId)!;

/** Σ(new − old) over the pairs, or the error for the first unavailable new item. */
function priceDifference(engine: ShopEngine, order: Order, itemIds: string[], newItemIds: string[]): PyNum | ToolOutcome {
  let diff: PyNum = 0;
  const products = new Map<string, Product | undefined>();
  for (let i = 0; i < itemIds.length; i++) {
    const item = firstItem(order, itemIds[i]!);
    const newId = newItemIds[i]!;
    if (!products.has(item.product_id)) products.set(item.product_id, engine.getProduct(item.product_id));
    const variant = products.get(item.product_id)?.variants[newId];
    if (!variant || !Object.hasOwn(products.get(item.product_id)!.variants, newId) || !variant.available) {
      return { result: `Error: new item ${newId} not found or available` };
    }
    diff = pyAdd(diff, pySub(variant.price, item.price));
  }
  return diff;
}

export function cancelPendingOrder(engine: ShopEngine, a: Args<'cancel_pending_order'>, ctx: Ctx): ToolOutcome {
  const order = ownOrder(engine, a.order_id, ctx.customerId);
  if (isOutcome(order)) return order;
  if (order.status !== 'pending') return { result: 'Error: non-pending order cannot be cancelled' };
  if (a.reason !== 'no longer needed' && a.reason !== 'ordered by mistake') return { result: 'Error: invalid reason' };
  let user: User | undefined;
  const refunds = order.payment_history.map((p) => {
    if (p.payment_method_id.includes('gift_card')) {
      user ??= owner(engine, order);
      const pm = user.payment_methods[p.payment_method_id];
      if (pm) pm.balance = pyRoundNum(pyAdd(pm.balance ?? 0, p.amount));
    }
    return { transaction_type: 'refund', amount: p.amount, payment_method_id: p.payment_method_id };
  });
  order.status = 'cancelled';
  order.cancel_reason = a.reason;
  order.payment_history.push(...refunds);
  return commit(engine, order, user);
}

export function modifyPendingOrderAddress(engine: ShopEngine, a: Args<'modify_pending_order_address'>, ctx: Ctx): ToolOutcome {
  const order = ownOrder(engine, a.order_id, ctx.customerId);
  if (isOutcome(order)) return order;
  if (order.status !== 'pending') return { result: 'Error: non-pending order cannot be modified' };
  order.address = { address1: a.address1, address2: a.address2, city: a.city, state: a.state, country: a.country, zip: a.zip };
  return commit(engine, order, undefined);
}

export function modifyPendingOrderPayment(engine: ShopEngine, a: Args<'modify_pending_order_payment'>, ctx: Ctx): ToolOutcome {
  const order = ownOrder(engine, a.order_id, ctx.customerId);
  if (isOutcome(order)) return order;
  if (order.status !== 'pending') return { result: 'Error: non-pending order cannot be modified' };
  const user = owner(engine, order);
  const pm = Object.hasOwn(user.payment_methods, a.payment_method_id) ? user.payment_methods[a.payment_method_id] : undefined;
  if (!pm) return { result: PM_NOT_FOUND };
  const first = order.payment_history[0];
  if (!first || order.payment_history.length > 1 || first.transaction_type !== 'payment') {
    return { result: 'Error: there should be exactly one payment for a pending order' };
  }
  if (first.payment_method_id === a.payment_method_id) {
    return { result: 'Error: the new payment method should be different from the current one' };
  }
  const amount = first.amount;
  if (pm.source === 'gift_card' && num(pm.balance ?? 0) < num(amount)) {
    return { result: 'Error: insufficient gift card balance to pay for the order' };
  }
  order.payment_history.push(
    { transaction_type: 'payment', amount, payment_method_id: a.payment_method_id },
    { transaction_type: 'refund', amount, payment_method_id: first.payment_method_id },
  );
  let changed = false;
  if (pm.source === 'gift_card') {
    pm.balance = pyRoundNum(pySub(pm.balance ?? 0, amount));
    changed = true;
  }
  const old = user.payment_methods[first.payment_method_id];
  if (first.payment_method_id.includes('gift_card') && old) {
    old.balance = pyRoundNum(pyAdd(old.balance ?? 0, amount));
    changed = true;
  }
  return commit(engine, order, changed ? user : undefined);
}

export function modifyPendingOrderItems(engine: ShopEngine, a: Args<'modify_pending_order_items'>, ctx: Ctx): ToolOutcome {
  const order = ownOrder(engine, a.order_id, ctx.customerId);
  if (isOutcome(order)) return order;
  if (order.status !== 'pending') return { result: 'Error: non-pending order cannot be modified' };
  const missing = missingItem(order, a.item_ids);
  if (missing !== undefined) return { result: `Error: ${missing} not found` };
  if (a.item_ids.length !== a.new_item_ids.length) return { result: 'Error: the number of items to be exchanged should match' };
  const diff = priceDifference(engine, order, a.item_ids, a.new_item_ids);
  if (isOutcome(diff)) return diff;
  const user = owner(engine, order);
  const pm = Object.hasOwn(user.payment_methods, a.payment_method_id) ? user.payment_methods[a.payment_method_id] : undefined;
  if (!pm) return { result: PM_NOT_FOUND };
  if (pm.source === 'gift_card' && num(pm.balance ?? 0) < num(diff)) {
    return { result: 'Error: insufficient gift card balance to pay for the new item' };
  }
  order.payment_history.push({
    transaction_type: num(diff) > 0 ? 'payment' : 'refund',
    amount: pyAbs(diff),
    payment_method_id: a.payment_method_id,
  });
  if (pm.source === 'gift_card') pm.balance = pyRoundNum(pySub(pm.balance ?? 0, diff));
  for (let i = 0; i < a.item_ids.length; i++) {
    const item = firstItem(order, a.item_ids[i]!);
    const variant = engine.getProduct(item.product_id)!.variants[a.new_item_ids[i]!]!;
    item.item_id = a.new_item_ids[i]!;
    item.price = variant.price;
    item.options = variant.options;
  }
  order.status = 'pending (item modified)';
  return commit(engine, order, pm.source === 'gift_card' ? user : undefined);
}

export function returnDeliveredOrderItems(engine: ShopEngine, a: Args<'return_delivered_order_items'>, ctx: Ctx): ToolOutcome {
  const order = ownOrder(engine, a.order_id, ctx.customerId);
  if (isOutcome(order)) return order;
  if (order.status !== 'delivered') return { result: 'Error: non-delivered order cannot be returned' };
  const user = owner(engine, order);
  if (!Object.hasOwn(user.payment_methods, a.payment_method_id)) return { result: PM_NOT_FOUND };
  if (!a.payment_method_id.includes('gift_card') && a.payment_method_id !== order.payment_history[0]?.payment_method_id) {
    return { result: 'Error: payment method should be either the original payment method or a gift card' };
  }
  if (missingItem(order, a.item_ids) !== undefined) return { result: 'Error: some item not found' };
  order.status = 'return requested';
  order.return_items = [...a.item_ids].sort();
  order.return_payment_method_id = a.payment_method_id;
  return commit(engine, order, undefined);
}

export function exchangeDeliveredOrderItems(engine: ShopEngine, a: Args<'exchange_delivered_order_items'>, ctx: Ctx): ToolOutcome {
  const order = ownOrder(engine, a.order_id, ctx.customerId);
  if (isOutcome(order)) return order;
  if (order.status !== 'delivered') return { result: 'Error: non-delivered order cannot be exchanged' };
  const missing = missingItem(order, a.item_ids);
  if (missing !== undefined) return { result: `Error: ${missing} not found` };
  if (a.item_ids.length !== a.new_item_ids.length) return { result: 'Error: the number of items to be exchanged should match' };
  const raw = priceDifference(engine, order, a.item_ids, a.new_item_ids);
  if (isOutcome(raw)) return raw;
  const diff = pyRoundNum(raw);
  const user = owner(engine, order);
  const pm = Object.hasOwn(user.payment_methods, a.payment_method_id) ? user.payment_methods[a.payment_method_id] : undefined;
  if (!pm) return { result: PM_NOT_FOUND };
  if (pm.source === 'gift_card' && num(pm.balance ?? 0) < num(diff)) {
    return { result: 'Error: insufficient gift card balance to pay for the price difference' };
  }
  order.status = 'exchange requested';
  order.exchange_items = [...a.item_ids].sort();
  order.exchange_new_items = [...a.new_item_ids].sort();
  order.exchange_payment_method_id = a.payment_method_id;
  order.exchange_price_difference = diff;
  return commit(engine, order, undefined);
}

export function modifyUserAddress(engine: ShopEngine, a: Args<'modify_user_address'>, ctx: Ctx): ToolOutcome {
  const user = ownUser(engine, a.user_id, ctx.customerId);
  if (isOutcome(user)) return user;
  user.address = { address1: a.address1, address2: a.address2, city: a.city, state: a.state, country: a.country, zip: a.zip };
  return { result: engine.putUser(a.user_id, user), touched: [`user:${a.user_id}`] };
}

