// Generated orders across every status, with payment histories and fulfillments consistent
// with what the τ-bench tools would have produced.
import type { Order, OrderItem, Payment, Product, User, Variant } from '../engine/types.ts';
import type { Rng } from './rng.ts';
import { generateAddress } from './generate-people.ts';

const round2 = (x: number): number => Math.round(x * 100) / 100;

const STATUS_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['pending', 0.3],
  ['processed', 0.15],
  ['delivered', 0.35],
  ['cancelled', 0.1],
  ['pending (item modified)', 0.03],
  ['return requested', 0.04],
  ['exchange requested', 0.03],
];

function pickStatus(rng: Rng): string {
  let r = rng.next();
  for (const [s, w] of STATUS_WEIGHTS) {
    if (r < w) return s;
    r -= w;
  }
  return 'delivered';
}

function itemOf(p: Product, v: Variant): OrderItem {
  return { name: p.name, product_id: p.product_id, item_id: v.item_id, price: v.price, options: { ...v.options } };
}

function otherVariant(rng: Rng, p: Product, itemId: string): Variant | undefined {
  const others = Object.values(p.variants).filter((v) => v.item_id !== itemId && v.available);
  return others.length ? rng.pick(others) : undefined;
}

export function generateOrders(
  rng: Rng,
  count: number,
  products: Product[],
  users: Map<string, User>,
  unique: (prefix: string, digits: number) => string,
  onEach?: (i: number) => void,
): Order[] {
  const userIds = [...users.keys()];
  const productById = new Map(products.map((p) => [p.product_id, p]));
  const variantsOf = new Map(products.map((p) => [p.product_id, Object.values(p.variants)]));
  const orders: Order[] = [];
  for (let i = 0; i < count; i++) {
    const userId = rng.pick(userIds);
    const user = users.get(userId)!;
    const items: OrderItem[] = [];
    for (let k = rng.int(1, 5); k > 0; k--) {
      const p = rng.pick(products);
      items.push(itemOf(p, rng.pick(variantsOf.get(p.product_id)!)));
    }
    const status = pickStatus(rng);
    const pmId = rng.pick(Object.keys(user.payment_methods));
    const total = round2(items.reduce((s, it) => s + (it.price as number), 0));
    const payments: Payment[] = [{ transaction_type: 'payment', amount: total, payment_method_id: pmId }];
    const shipped = !status.startsWith('pending') && status !== 'cancelled';
    const fulfillments: Order['fulfillments'] = [];
    if (shipped) {
      const ids = items.map((it) => it.item_id);
      const split = ids.length > 1 && rng.chance(0.3) ? rng.int(1, ids.length - 1) : ids.length;
      fulfillments.push({ tracking_id: [unique('', 12)], item_ids: ids.slice(0, split) });
      if (split < ids.length) fulfillments.push({ tracking_id: [unique('', 12)], item_ids: ids.slice(split) });
    }
    const order: Order = {
      order_id: unique('#W', 7),
      user_id: userId,
      address: rng.chance(0.9) ? { ...user.address } : generateAddress(rng),
      items,
      fulfillments,
      status,
      payment_history: payments,
    };
    const byId = (id: string): Product => productById.get(id)!;
    if (status === 'cancelled') {
      payments.push({ transaction_type: 'refund', amount: total, payment_method_id: pmId });
      order.cancel_reason = rng.chance(0.5) ? 'no longer needed' : 'ordered by mistake';
    } else if (status === 'pending (item modified)') {
      const it = items[0]!;
      const nv = otherVariant(rng, byId(it.product_id), it.item_id);
      if (nv) {
        const diff = round2((nv.price as number) - (it.price as number));
        payments.push({ transaction_type: diff > 0 ? 'payment' : 'refund', amount: Math.abs(diff), payment_method_id: pmId });
        Object.assign(it, { item_id: nv.item_id, price: nv.price, options: { ...nv.options } });
      } else {
        order.status = 'pending';
      }
    } else if (status === 'return requested') {
      const chosen = rng.sample(items, rng.int(1, items.length)).map((it) => it.item_id);
      order.return_items = chosen.sort();
      order.return_payment_method_id = pmId;
    } else if (status === 'exchange requested') {
      const olds: string[] = [];
      const news: string[] = [];
      let diff = 0;
      for (const it of rng.sample(items, rng.int(1, items.length))) {
        const nv = otherVariant(rng, byId(it.product_id), it.item_id);
        if (!nv) continue;
        olds.push(it.item_id);
        news.push(nv.item_id);
        diff += (nv.price as number) - (it.price as number);
      }
      if (olds.length === 0) order.status = 'delivered';
      else {
        order.exchange_items = olds.sort();
        order.exchange_new_items = news.sort();
        order.exchange_payment_method_id = pmId;
        order.exchange_price_difference = round2(diff);
      }
    }
    user.orders.push(order.order_id);
    orders.push(order);
    onEach?.(i);
  }
  return orders;
}
