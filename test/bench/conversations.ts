// The customers of the load: English and Mandarin conversations about the shop's real data
// (read from the shop's export, so every order id and item id exists and belongs to the
// customer who asks). One conversation = one customer, and no two conversations share one
// while the catalog has customers left; a write conversation owns its order, so any second
// write to an order is a duplicate.

export type Scenario = 'status' | 'product' | 'return' | 'exchange' | 'multi';
export const SCENARIOS: readonly Scenario[] = ['status', 'product', 'return', 'exchange', 'multi'];

export interface Script {
  conversationId: string;
  customerId: string;
  language: 'en' | 'zh';
  scenario: Scenario;
  /** The order a write conversation changes (none for read-only conversations). */
  writeOrder?: string;
  messages: string[];
}

interface Item {
  name: string;
  product_id: string;
  item_id: string;
  options: Record<string, string>;
}
interface Order {
  order_id: string;
  user_id: string;
  status: string;
  items: Item[];
}
interface Variant {
  item_id: string;
  options: Record<string, string>;
  available: boolean;
}
interface Product {
  name: string;
  product_id: string;
  variants: Record<string, Variant>;
}
export interface ShopExport {
  users: Record<string, { orders?: string[] }>;
  orders: Record<string, Order>;
  products: Record<string, Product>;
}

export async function fetchExport(shopUrl: string): Promise<ShopExport> {
  const res = await fetch(`${shopUrl}/v1/export`);
  if (!res.ok) throw new Error(`shop export answered ${res.status}`);
  return (await res.json()) as ShopExport;
}

/** An exchange the offline model can carry out: an item and a lower-case option value of another available variant. */
interface Exchange {
  order: Order;
  item: Item;
  value: string;
}

function exchangeFor(order: Order, products: ShopExport['products']): Exchange | undefined {
  for (const item of order.items) {
    const variants = Object.values(products[item.product_id]?.variants ?? {});
    for (const v of variants) {
      if (v.item_id === item.item_id || !v.available) continue;
      for (const [k, x] of Object.entries(v.options)) {
        // One differing, plain-word value (a colour, a material): named alone, it picks this variant family.
        if (x === item.options[k] || !/^[a-z]+$/.test(x)) continue;
        const otherValues = new Set(order.items.flatMap((i) => Object.values(i.options)));
        if (otherValues.has(x)) continue;
        return { order, item, value: x };
      }
    }
  }
  return undefined;
}

const T = {
  status: (lang: string, o: string) => (lang === 'zh' ? `我的订单 ${o} 现在是什么状态？` : `What is the status of my order ${o}?`),
  product: (lang: string, name: string) => (lang === 'zh' ? `请问 ${name} 多少钱？` : `How much is the ${name}?`),
  ret: (lang: string, o: string, item: string) =>
    lang === 'zh' ? `我想退货：订单 ${o} 里的商品 ${item}。` : `I want to return item ${item} from order ${o}.`,
  exchange: (lang: string, o: string, item: string, value: string) =>
    lang === 'zh' ? `我想把订单 ${o} 里的商品 ${item} 换成 ${value} 的。` : `I want to exchange item ${item} in order ${o} for the ${value} one.`,
  yes: (lang: string) => (lang === 'zh' ? '是的，确认。' : 'Yes, please go ahead.'),
  thanks: (lang: string) => (lang === 'zh' ? '谢谢，没有别的问题了。' : 'Thanks, that is all.'),
};

/**
 * `count` conversation scripts of `turns` customer messages each, round-robin over the
 * scenarios and alternating English and Mandarin. `runId` keeps conversation ids unique
 * across runs against the same Redis.
 */
export function buildScripts(data: ShopExport, count: number, turns: number, runId: string): Script[] {
  const orders = Object.values(data.orders);
  const products = Object.values(data.products);
  const delivered = orders.filter((o) => o.status === 'delivered');
  const returns = delivered.filter((o) => o.items.length > 0);
  const exchanges = delivered.map((o) => exchangeFor(o, data.products)).filter((e): e is Exchange => e !== undefined);
  const usedOrders = new Set<string>();
  const usedUsers = new Set<string>();
  const take = <X>(pool: X[], orderOf: (x: X) => Order): X | undefined => {
    for (const x of pool) {
      const o = orderOf(x);
      if (usedOrders.has(o.order_id) || usedUsers.has(o.user_id)) continue;
      usedOrders.add(o.order_id);
      usedUsers.add(o.user_id);
      return x;
    }
    return undefined;
  };
  // A read-only conversation's order: from the same spread of the catalog as before, the first
  // from there whose customer no other conversation has. Concurrent conversations are distinct
  // customers, as they are in production; sharing one put two conversations' messages in one
  // per-customer bucket, whose refusals the bench then retried (issue 17). Only once every
  // customer has a conversation do read-only ones share (the catalog has 5,000).
  const readOrder = (k: number): Order => {
    const start = (k * 7919) % orders.length;
    for (let j = 0; j < orders.length; j++) {
      const o = orders[(start + j) % orders.length]!;
      if (usedUsers.has(o.user_id)) continue;
      usedUsers.add(o.user_id);
      return o;
    }
    return orders[start]!;
  };
  // The writes first, in conversation order, as before: the customers read-only conversations
  // take below are then never ones a write needed (a small catalog keeps its writes).
  const writes = Array.from({ length: count }, (_, i): { order: Order; messages: (language: string) => string[] } | undefined => {
    const scenario = SCENARIOS[i % SCENARIOS.length]!;
    if (scenario === 'return') {
      const order = take(returns, (o) => o);
      return order && { order, messages: (l) => [T.ret(l, order.order_id, order.items[0]!.item_id), T.yes(l)] };
    }
    if (scenario === 'exchange') {
      const e = take(exchanges, (x) => x.order);
      return e && { order: e.order, messages: (l) => [T.exchange(l, e.order.order_id, e.item.item_id, e.value), T.yes(l)] };
    }
    return undefined;
  });
  const out: Script[] = [];
  let reads = 0;
  for (let i = 0; i < count; i++) {
    const language = i % 2 === 0 ? 'en' : 'zh';
    let scenario = SCENARIOS[i % SCENARIOS.length]!;
    const write = writes[i];
    let order = write?.order;
    const messages: string[] = write ? write.messages(language) : [];
    const writeOrder = write?.order.order_id;
    if (!order) {
      if (scenario === 'return' || scenario === 'exchange') scenario = 'status';
      order = readOrder(reads++);
    }
    const product = products[(i * 104729) % products.length]!;
    if (scenario === 'status') messages.push(T.status(language, order.order_id));
    if (scenario === 'product') messages.push(T.product(language, product.name));
    if (scenario === 'multi') messages.push(T.status(language, order.order_id), T.product(language, product.name));
    // Follow-ups up to `turns` messages: the order again (after a write: its new status), then thanks.
    while (messages.length < turns) messages.push(messages.length % 2 === 0 ? T.thanks(language) : T.status(language, order.order_id));
    out.push({
      conversationId: `c_${runId}_${i}`,
      customerId: order.user_id,
      language,
      scenario,
      ...(writeOrder ? { writeOrder } : {}),
      messages: messages.slice(0, Math.max(turns, scenario === 'return' || scenario === 'exchange' ? 2 : 1)),
    });
  }
  return out;
}
