import type { ChatMessage } from '@steward/core';
import { asksForWrite, type WorkingMemory } from '@steward/context';

// Tool retrieval: the definitions of all 23 commerce tools cost 3,413 prompt tokens on every
// turn, more than the rest of a budgeted prompt. Each turn sends the core tools plus the groups
// its request is about (English and Chinese keywords over the customer's latest messages, the
// agent's last reply and every open request of the conversation), every tool this query already
// used, and — so that a "yes" or a follow-up never finds a needed tool missing — the tools for
// the entities in the working memory: the writes of the orders being worked on once a change was
// asked for, the product details of products just shown, and the tool of a pending confirmation.
// See docs/adr/0011-prompt-budget.md for the measured cost against offering every tool.

/** Always offered; identification tools only before the customer is known. */
const CORE = ['get_order_details', 'transfer_to_human_agents'];
/** Offered on every call (a verified customer): sent first, so they stay in the cacheable prefix. */
export const ALWAYS_OFFERED: readonly string[] = CORE;
/** How a model finds a product id it was shown nowhere: with the product tools, and wherever a variant may be chosen. */
const TYPES = 'list_all_product_types';
/** The profile (and its list of orders) is needed when the customer names no order. */
const PROFILE = 'get_user_details';
const ORDER_ID = /#?W\d{7}\b/;
const IDENTIFY = ['find_user_id_by_email', 'find_user_id_by_name_zip'];

const GROUPS: { match: RegExp; tools: string[] }[] = [
  {
    match: /product|price|cost|cheap|expensive|sell|carry|offer|looking for|have (any|a|an|the|some)|recommend|buy|size|colou?r|brand|how much|商品|产品|价格|多少钱|有没有|卖|有.*吗|推荐|尺寸|尺码|颜色|买|款|贵|便宜/i,
    tools: ['search_products', 'get_product_details', TYPES],
  },
  { match: /stock|available|availability|inventory|warehouse|有货|库存|现货/i, tools: ['search_products', 'get_product_details', 'check_inventory'] },
  { match: /categor|what (kind|type)s? of|all products|哪些|种类|类别/i, tools: ['list_all_product_types'] },
  // Where a parcel is, and what shipping would cost, are different questions: a tracking
  // question does not pay for the quote tool's definition (~150 tokens).
  { match: /ship|deliver|track|package|parcel|arriv|carrier|物流|快递|发货|到哪|配送|追踪|包裹|送达|单号/i, tools: ['get_shipping_info'] },
  { match: /shipping (cost|fee|price|rate|quote|charge)|cost (of|to) ship|ship(ping)? (it )?to|how much .*ship|deliver(y)? (fee|cost|charge)|postage|运费|邮费|配送费/i, tools: ['calculate_shipping'] },
  { match: /return|refund|send (it )?back|退货|退款|退回/i, tools: ['return_delivered_order_items'] },
  { match: /exchange|swap|replace|换/i, tools: ['exchange_delivered_order_items', 'get_product_details', TYPES] },
  { match: /cancel|取消/i, tools: ['cancel_pending_order'] },
  { match: /address|地址/i, tools: ['modify_pending_order_address', 'modify_user_address'] },
  { match: /pay|card|gift|paypal|支付|付款|礼品卡|信用卡/i, tools: ['modify_pending_order_payment'] },
  { match: /change|modify|update|edit|修改|更改|改/i, tools: ['modify_pending_order_items', 'modify_pending_order_address', 'modify_pending_order_payment', 'get_product_details', TYPES] },
  { match: /calculat|total|sum|\d\s*[-+*/]\s*\d|计算|总共|一共/i, tools: ['calculate'] },
];

export function selectTools(
  all: readonly string[],
  conversation: readonly ChatMessage[],
  scratchpad: readonly ChatMessage[],
  verified = true,
  memory?: WorkingMemory,
): Set<string> {
  const chosen = new Set(verified ? CORE : [...CORE, ...IDENTIFY]);
  const open = memory?.requests.filter((r) => !r.resolved).map((r) => r.text) ?? [];
  const text = [recentText(conversation), ...open].join('\n');
  if (memory) for (const t of memoryTools(memory, text)) chosen.add(t);
  if (!ORDER_ID.test(text) || /account|profile|my orders|payment method|email|账户|我的订单|支付方式|邮箱/i.test(text)) chosen.add(PROFILE);
  for (const g of GROUPS) if (g.match.test(text)) for (const t of g.tools) chosen.add(t);
  // A tool named outright (e.g. in the agent's own confirmation request) is kept.
  for (const name of all) if (text.includes(name)) chosen.add(name);
  for (const m of scratchpad) if (m.role === 'assistant') for (const c of m.tool_calls ?? []) chosen.add(c.function.name);
  return new Set([...chosen].filter((n) => all.includes(n)));
}

/**
 * What this turn is about: the customer's latest message; when it carries no request of its own
 * ("yes", "ok, do it"), also the agent's last reply and the customer's message before it.
 */
function recentText(conversation: readonly ChatMessage[]): string {
  const users = conversation.filter((m) => m.role === 'user');
  const last = users.at(-1)?.content ?? '';
  if (GROUPS.some((g) => g.match.test(last)) || last.length > 40) return last;
  const lastReply = conversation.findLast((m) => m.role === 'assistant' && m.content)?.content ?? '';
  return [last, lastReply, users.at(-2)?.content ?? ''].join('\n');
}

/** Order writes by the status that allows them (τ-bench rules). */
const WRITES_BY_STATUS: Record<string, string[]> = {
  pending: ['cancel_pending_order', 'modify_pending_order_items', 'modify_pending_order_address', 'modify_pending_order_payment', 'get_product_details', TYPES],
  delivered: ['return_delivered_order_items', 'exchange_delivered_order_items', 'get_product_details', TYPES, 'process_return'],
};

/** Reference ticks (recorded tool turns) during which an order counts as the one being worked on. */
const ACTIVE_TICKS = 2;

/**
 * Tools the entities in the working memory can need next. An order's writes are offered once
 * the customer has asked for changes in this conversation (an open request with a write's verb,
 * a write held for a yes, or a write already done or refused) and the conversation is working
 * on that order (read in the last two tool turns, or named in the latest messages or an open
 * request). A status question does not cost the definitions of every write the order's status
 * allows (~750 tokens for a delivered order, ~900 for a pending one); the keyword groups still
 * add the write a request names. Measured on all 500 τ-bench train tasks: nothing needed was
 * missing (docs/BENCHMARKS.md).
 */
function memoryTools(m: WorkingMemory, text: string): string[] {
  const out: string[] = [];
  if (m.customer) out.push(PROFILE);
  const change = m.pending.length > 0 || m.done.length > 0 || m.requests.some((r) => !r.resolved && asksForWrite(r.text));
  for (const o of m.orders) if (change && (o.ref > m.seq - ACTIVE_TICKS || text.includes(o.order_id))) out.push(...(WRITES_BY_STATUS[o.status ?? ''] ?? []));
  // Products the last tool turn showed (a search, a details read): their details may be asked next.
  if (m.products.some((p) => p.ref === m.seq)) out.push('get_product_details');
  for (const p of m.pending) out.push(p.tool);
  return out;
}
