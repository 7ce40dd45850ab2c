import type { ChatMessage } from '@steward/core';

// Tool retrieval: the definitions of all 23 commerce tools cost ~3,000 prompt tokens on every
// turn, more than the rest of a budgeted prompt. Each turn sends the core tools plus the groups
// its request is about (English and Chinese keywords over the customer's latest messages and the
// agent's last reply), and every tool this query already used. The token benchmark checks that
// answers stay as good as with every tool sent.

const CORE = ['find_user_id_by_email', 'find_user_id_by_name_zip', 'get_user_details', 'get_order_details', 'transfer_to_human_agents'];

const GROUPS: { match: RegExp; tools: string[] }[] = [
  {
    match: /product|price|cost|cheap|expensive|stock|available|in store|have (any|a|an)|recommend|buy|size|colou?r|model|brand|how much|商品|产品|价格|多少钱|有没有|有.*吗|推荐|库存|尺寸|尺码|颜色|买|款/i,
    tools: ['search_products', 'get_product_details', 'get_product_info', 'check_inventory', 'list_all_product_types'],
  },
  { match: /ship|deliver|track|package|parcel|arriv|carrier|物流|快递|发货|到哪|配送|运费|追踪|包裹|送达/i, tools: ['get_shipping_info', 'calculate_shipping', 'check_order_status'] },
  { match: /return|refund|send (it )?back|退货|退款|退回|退/i, tools: ['return_delivered_order_items', 'process_return'] },
  { match: /exchange|swap|replace|另一个|换/i, tools: ['exchange_delivered_order_items', 'get_product_details'] },
  { match: /cancel|取消/i, tools: ['cancel_pending_order'] },
  { match: /address|地址/i, tools: ['modify_pending_order_address', 'modify_user_address'] },
  { match: /pay|card|gift|paypal|支付|付款|礼品卡|信用卡/i, tools: ['modify_pending_order_payment'] },
  { match: /change|modify|update|edit|修改|更改|改/i, tools: ['modify_pending_order_items', 'modify_pending_order_address', 'modify_pending_order_payment', 'get_product_details'] },
  { match: /calculat|total|sum|\d\s*[-+*/]\s*\d|计算|总共|一共/i, tools: ['calculate'] },
  { match: /status|order|状态|订单/i, tools: ['check_order_status'] },
];

export function selectTools(all: readonly string[], conversation: readonly ChatMessage[], scratchpad: readonly ChatMessage[]): Set<string> {
  const chosen = new Set(CORE);
  const text = recentText(conversation);
  for (const g of GROUPS) if (g.match.test(text)) for (const t of g.tools) chosen.add(t);
  // A tool named outright (e.g. in the agent's own confirmation request) is kept.
  for (const name of all) if (text.includes(name)) chosen.add(name);
  for (const m of scratchpad) if (m.role === 'assistant') for (const c of m.tool_calls ?? []) chosen.add(c.function.name);
  return new Set([...chosen].filter((n) => all.includes(n)));
}

/** The customer's last two messages and the agent's last reply: what this turn is about. */
function recentText(conversation: readonly ChatMessage[]): string {
  const parts: string[] = [];
  let users = 0;
  let assistants = 0;
  for (let i = conversation.length - 1; i >= 0 && (users < 2 || assistants < 1); i--) {
    const m = conversation[i]!;
    if (m.role === 'user' && users < 2) {
      parts.push(m.content);
      users++;
    } else if (m.role === 'assistant' && assistants < 1 && m.content) {
      parts.push(m.content);
      assistants++;
    }
  }
  return parts.join('\n');
}
