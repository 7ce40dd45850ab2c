// What the customer asks for and the entities in their words, by keyword rules in English
// and Mandarin. Deterministic on purpose: the same words always give the same intent.

export type Intent = 'human' | 'cancel' | 'exchange' | 'return' | 'shipping_quote' | 'status' | 'stock' | 'product' | 'none';

const RULES: readonly (readonly [Intent, RegExp])[] = [
  ['human', /\b(human|agent|representative|real person|operator|supervisor)\b|人工|真人|客服人员/i],
  ['cancel', /\bcancel|取消/i],
  ['exchange', /\b(exchange|swap)\b|换货|换成|换一个|更换|调换/i],
  ['return', /\b(return|refund|send (it |them )?back)\b|退货|退款|退回|退掉/i],
  ['shipping_quote', /\b(shipping (cost|fee|price|rate)s?|cost (of|to) ship|how much (is|for|does) (the )?shipping|delivery (fee|cost)s?)\b|运费|邮费/i],
  [
    'status',
    /\b(status|where('s| is)|track(ing)?|shipped|shipping|deliver(ed|y)?|arrive|arrival)\b|状态|到哪|物流|发货|快递|送达|到了吗|进度/i,
  ],
  ['stock', /\b(in stock|out of stock|stock|inventory|availability)\b|有货|库存|现货|缺货/i],
  [
    'product',
    /\b(do you (have|sell|carry)|price|prices|how much|cost|recommend|tell me about|looking for|search|buy|cheap|best)\b|有没有|多少钱|推荐|介绍|价格|想买|卖不卖|有卖/i,
  ],
  // Last: "订单"/"order" alone most often means "what about my order".
  ['status', /订单|\border\b/i],
];

/** The first matching rule wins: a handoff request beats everything, a write beats a read. */
export function detectIntent(text: string): Intent {
  for (const [intent, re] of RULES) if (re.test(text)) return intent;
  return 'none';
}

export const ORDER_ID = /#W\d{7}\b/g;
const ITEM_ID = /(?<![\d#W])\d{10}(?!\d)/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
const ZIP = /(?<![\d#W])\d{5}(?!\d)/;
const NAME_PATTERNS = [
  /\b(?:my name is|name is|i am|i'm|this is)\s+([A-Z][a-zA-Z'-]+)\s+([A-Z][a-zA-Z'-]+)/i,
  /(?:我叫|我是|名字是|姓名[:：]?)\s*([A-Za-z][a-zA-Z'-]+)\s+([A-Za-z][a-zA-Z'-]+)/,
];

export function orderIds(text: string): string[] {
  return [...new Set(text.match(ORDER_ID) ?? [])];
}

export function itemIds(text: string): string[] {
  return [...new Set(text.match(ITEM_ID) ?? [])];
}

/** Questions about where a parcel is, as opposed to the order's state. */
export const TRACKING_QUESTION = /\b(where('s| is)|track(ing)?|shipped|arrive|arrival|deliver(ed|y)?)\b|物流|快递|到哪|发货|送达|到了吗/i;

export function findZip(text: string): string | undefined {
  return ZIP.exec(text)?.[0];
}

export function findEmail(text: string): string | undefined {
  return EMAIL.exec(text)?.[0];
}

export interface NameZip {
  first_name: string;
  last_name: string;
  zip: string;
}

export function findNameZip(text: string): NameZip | undefined {
  const zip = ZIP.exec(text)?.[0];
  if (!zip) return undefined;
  for (const re of NAME_PATTERNS) {
    const m = re.exec(text);
    if (m?.[1] && m[2]) return { first_name: m[1], last_name: m[2], zip };
  }
  return undefined;
}

const AFFIRM_EN = /^\s*(yes|y|yeah|yep|yup|sure|confirm(ed)?|i confirm|ok(ay)?|go ahead|please do|do it|correct|that'?s right|proceed)\b/i;
// Not "是什么…" or "可以吗": a question is not a yes.
const AFFIRM_ZH = /^\s*(是的?|确认|确定|好的?|可以|对的?|没问题|行|同意|嗯)(?![什么吗么不]|否)/;
const DENY_EN = /^\s*(no|nope|don'?t|do not|stop|never ?mind|not now)\b/i;
const DENY_ZH = /^\s*(不|否|别|算了|不用|不要)/;

export function isAffirmative(text: string): boolean {
  return !isNegative(text) && (AFFIRM_EN.test(text) || AFFIRM_ZH.test(text));
}

export function isNegative(text: string): boolean {
  return DENY_EN.test(text) || DENY_ZH.test(text);
}

export function cancelReason(text: string): 'ordered by mistake' | 'no longer needed' {
  return /mistake|accident|wrong(ly)?|by error|错|误/i.test(text) ? 'ordered by mistake' : 'no longer needed';
}

export interface PriceRange {
  max_price?: number;
  min_price?: number;
}

/** "under $100", "between 50 and 80", "100元以下", "不超过100" … */
export function priceRange(text: string): PriceRange {
  const out: PriceRange = {};
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  const between = /between\s*\$?(\d+(?:\.\d+)?)\s*(?:and|-|to)\s*\$?(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:到|至|-)\s*(\d+(?:\.\d+)?)\s*(?:元|块|美元)/i.exec(text);
  if (between) {
    out.min_price = num(between[1] ?? between[3]);
    out.max_price = num(between[2] ?? between[4]);
    return out;
  }
  const max =
    /(?:under|below|less than|cheaper than|at most|up to|max(?:imum)?|within)\s*\$?\s*(\d+(?:\.\d+)?)/i.exec(text)?.[1] ??
    /(?:低于|不超过|少于|不到|以内)\s*\$?(\d+(?:\.\d+)?)/.exec(text)?.[1] ??
    /(\d+(?:\.\d+)?)\s*(?:元|块|美元|刀)?\s*(?:以下|以内|之内)/.exec(text)?.[1];
  const min =
    /(?:over|above|more than|at least|min(?:imum)?)\s*\$?\s*(\d+(?:\.\d+)?)/i.exec(text)?.[1] ??
    /(?<!不)(?:高于|超过|多于)\s*\$?(\d+(?:\.\d+)?)/.exec(text)?.[1] ??
    /(\d+(?:\.\d+)?)\s*(?:元|块|美元|刀)?\s*以上/.exec(text)?.[1];
  if (max !== undefined) out.max_price = Number(max);
  if (min !== undefined) out.min_price = Number(min);
  return out;
}

const EN_STOP = new Set(
  `a an the do does did you your yours have has sell carry any some what which whats is are was were
  of for to in on at by with and or me my i im i'm we us our please can could would like want need get
  tell about price prices how much cost costs recommend recommendation recommendations looking look search
  find buy show available stock in out inventory under below less than over above more between max min
  up least most cheap cheaper cheapest best good there it its this that these those one ones something
  dollars dollar usd hi hello hey thanks thank if know much many also just`.split(/\s+/),
);
const ZH_FILLERS =
  /有没有|多少钱|推荐|介绍一下|介绍|价格|想买|你们|我们|我想|请问|请|一下|一款|一个|一些|什么|有货|库存|现货|吗|呢|吧|的|是|有|卖不卖|有卖|帮我|找|看看|以下|以内|之内|以上|低于|不超过|少于|不到|高于|超过|元|块|美元/g;

/** The words of a product question that name the product, English or Mandarin. */
export function searchKeywords(text: string): string {
  const cleaned = text.replace(/#sim:[\w-]+/g, ' ').replace(/\$?\d+(?:\.\d+)?/g, ' ');
  const zh = (cleaned.replace(ZH_FILLERS, ' ').match(/[\u3400-\u9fff]+/g) ?? []).join(' ');
  const en = (cleaned.toLowerCase().match(/[a-z][a-z'-]*/g) ?? []).filter((w) => !EN_STOP.has(w)).join(' ');
  return [zh, en].filter(Boolean).join(' ').trim();
}
