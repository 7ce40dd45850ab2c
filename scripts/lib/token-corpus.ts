// A deterministic corpus of multi-turn customer conversations built from the shop's own data:
// each customer turn carries the facts its answer must contain (for the success rate).

export interface ShopExport {
  users: Record<string, { orders: string[]; payment_methods?: Record<string, unknown> }>;
  orders: Record<
    string,
    { order_id: string; status: string; items: { name: string; product_id: string; item_id: string }[]; fulfillments: { tracking_id: string[] }[]; payment_history?: { payment_method_id: string }[] }
  >;
}

export interface Turn {
  text: string;
  /** The answer passes when it contains any of these (case-insensitive). */
  expect: string[];
  /**
   * Ids and facts the answer rests on: each must be in the prompt of the call that wrote it (see
   * scripts/lib/turn-check.ts; the arguments of the turn's tool calls are checked as well).
   */
  needs: string[];
}

export interface Conversation {
  id: string;
  customerId: string;
  language: 'en' | 'zh';
  turns: Turn[];
}

const ZH_STATUS: Record<string, string> = { pending: '待处理', processed: '已处理', delivered: '已送达', cancelled: '已取消' };

export function buildCorpus(data: ShopExport, n: number): Conversation[] {
  const users = Object.keys(data.users)
    .sort()
    .filter((u) => (data.users[u]?.orders.length ?? 0) >= 2);
  const out: Conversation[] = [];
  for (let i = 0; out.length < n && i < users.length; i++) {
    // Spread over the user list deterministically.
    const uid = users[(i * 7919) % users.length]!;
    if (out.some((c) => c.customerId === uid)) continue;
    const orders = data.users[uid]!.orders.map((o) => data.orders[o]).filter((o) => o && o.items.length > 0) as ShopExport['orders'][string][];
    if (orders.length < 2) continue;
    const lang: 'en' | 'zh' = out.length % 2 === 0 ? 'en' : 'zh';
    out.push({ id: `c_tok_${out.length}_${uid}`, customerId: uid, language: lang, turns: turnsFor(orders, lang) });
  }
  return out;
}

function turnsFor(orders: ShopExport['orders'][string][], lang: 'en' | 'zh'): Turn[] {
  const [a, b] = orders as [ShopExport['orders'][string], ShopExport['orders'][string]];
  const delivered = orders.find((o) => o.status === 'delivered');
  const prodA = a.items[0]!;
  const prodB = b.items[0]!;
  const tracking = a.fulfillments[0]?.tracking_id[0];
  const en = lang === 'en';
  const turns: Turn[] = [
    { text: en ? `Hi, what is the status of my order ${a.order_id}?` : `你好，我的订单 ${a.order_id} 现在是什么状态？`, expect: [a.status], needs: [a.order_id, a.status] },
    { text: en ? `Do you sell ${prodA.name.toLowerCase()}s?` : `你们有卖${prodA.name}吗？`, expect: [prodA.name, prodA.product_id], needs: [prodA.product_id] },
    {
      text: en ? `And order ${b.order_id}, where is it?` : `那订单 ${b.order_id} 呢？到哪了？`,
      expect: [b.status, ...(b.fulfillments[0]?.tracking_id ?? [])],
      needs: [b.order_id, b.status],
    },
    {
      text: en ? `Can you give me the tracking number for ${a.order_id}?` : `订单 ${a.order_id} 的物流单号是多少？`,
      expect: tracking ? [tracking] : [a.status],
      needs: [a.order_id, tracking ?? a.status],
    },
    { text: en ? `How much is a ${prodB.name.toLowerCase()}?` : `${prodB.name}多少钱？`, expect: ['$'], needs: [prodB.product_id] },
  ];
  if (delivered) {
    const item = delivered.items[0]!;
    turns.push(
      {
        text: en ? `I want to return the ${item.name} from order ${delivered.order_id}.` : `我想退货：订单 ${delivered.order_id} 里的${item.name}。`,
        expect: [delivered.order_id],
        // The confirmation request lists the exact item and the refund's payment method.
        needs: [delivered.order_id, item.item_id, ...(delivered.payment_history?.slice(0, 1).map((p) => p.payment_method_id) ?? [])],
      },
      // The return itself (its order, item and payment-method ids) is checked as a tool call.
      { text: en ? 'Yes, please go ahead.' : '是的，确认。', expect: ['return requested'], needs: [delivered.order_id] },
      { text: en ? `What is the status of ${delivered.order_id} now?` : `订单 ${delivered.order_id} 现在什么状态？`, expect: ['return requested'], needs: [delivered.order_id, 'return requested'] },
    );
  } else {
    turns.push(
      { text: en ? `What's the status of order ${b.order_id}?` : `订单 ${b.order_id} 是什么状态？`, expect: [b.status], needs: [b.order_id, b.status] },
      { text: en ? `Is order ${a.order_id} still ${a.status}?` : `订单 ${a.order_id} 还是${ZH_STATUS[a.status] ?? a.status}吗？`, expect: [a.status], needs: [a.order_id, a.status] },
      { text: en ? `Do you have ${prodB.name.toLowerCase()}s in stock?` : `${prodB.name}有货吗？`, expect: [prodB.name, prodB.product_id], needs: [prodB.product_id] },
    );
  }
  turns.push(
    { text: en ? `Remind me, what was in order ${b.order_id}?` : `订单 ${b.order_id} 里有什么商品？`, expect: [prodB.name, prodB.item_id], needs: [b.order_id, prodB.item_id] },
    { text: en ? 'Thanks, that is all for today.' : '谢谢，今天就这些。', expect: [''], needs: [] },
  );
  return turns;
}
