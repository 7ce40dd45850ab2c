// Every sentence the simulated model says, in English and Mandarin.
import { TEXTS, type Language } from '@steward/core';
import { productLabel, statusLabel } from './lexicon.ts';
import type { OrderItem, OrderView, ProductHit, Shipment, ShippingOption } from './tool-results.ts';

const t = (lang: Language, en: string, zh: string): string => (lang === 'zh' ? zh : en);
const money = (n: number | undefined): string => (n === undefined ? '?' : `$${n.toFixed(2)}`);
const sep = (lang: Language): string => (lang === 'zh' ? '、' : ', ');

export function itemList(items: readonly Pick<OrderItem, 'name' | 'itemId'>[], lang: Language): string {
  return items.map((i) => (i.name && i.name !== i.itemId ? `${productLabel(i.name, lang)} (${i.itemId})` : i.itemId)).join(sep(lang));
}

export const R = {
  capabilities: (lang: Language) =>
    t(
      lang,
      'I can check the status of an order, find products and prices, check stock, and help with returns, exchanges and cancellations. What can I do for you?',
      '我可以帮您查询订单状态、查找商品和价格、查询库存，以及办理退货、换货和取消订单。请问有什么可以帮您？',
    ),
  askIdentity: (lang: Language) =>
    t(
      lang,
      'To look into this I first need to verify your account. Please tell me your email address, or your first name, last name and zip code.',
      '为了处理您的请求，我需要先验证您的账户。请提供您的邮箱地址，或您的名字、姓氏和邮编。',
    ),
  userNotFound: (lang: Language) =>
    t(
      lang,
      "I couldn't find an account with those details. Could you check your email address, or give me your first name, last name and zip code?",
      '没有找到与这些信息匹配的账户。请核对您的邮箱地址，或提供您的名字、姓氏和邮编。',
    ),
  identityLocked: (lang: Language) =>
    t(
      lang,
      "I'm sorry, I can't verify this account in the chat after several unsuccessful attempts. I can transfer you to a human agent who can help — would you like that?",
      '抱歉，多次验证未成功，我无法在聊天中验证此账户。我可以为您转接人工客服，需要吗？',
    ),
  askOrderId: (lang: Language) =>
    t(lang, 'Which order is this about? Please give me the order id (it looks like #W1234567).', '请问是哪个订单？请提供订单号（格式如 #W1234567）。'),
  chooseOrder: (lang: Language, ids: readonly string[]) =>
    ids.length === 0
      ? t(lang, "I don't see any orders on your account.", '您的账户下没有订单。')
      : t(lang, `You have these orders: ${ids.join(', ')}. Which one is this about?`, `您有以下订单：${ids.join('、')}。请问是哪一个？`),
  orderStatus: (lang: Language, orderId: string, o: OrderView) => {
    const items = o.items.length ? t(lang, ` Items: ${itemList(o.items, lang)}.`, `商品：${itemList(o.items, lang)}。`) : '';
    const tracking = o.trackingIds.length
      ? t(lang, ` Tracking number: ${o.trackingIds.join(', ')}.`, `物流单号：${o.trackingIds.join('、')}。`)
      : '';
    return t(lang, `Order ${orderId} is currently: ${o.status}.`, `订单 ${orderId} 当前状态：${statusLabel(o.status, 'zh')}。`) + tracking + items;
  },
  shipments: (lang: Language, list: readonly Shipment[]) =>
    list
      .map((x) => {
        const when = x.deliveredAt ? t(lang, `delivered ${x.deliveredAt}`, `送达日期 ${x.deliveredAt}`) : x.eta ? t(lang, `expected ${x.eta}`, `预计送达 ${x.eta}`) : '';
        const parts = [x.carrier, x.status, when].filter(Boolean).join(lang === 'zh' ? '，' : ', ');
        return t(lang, ` Parcel ${x.trackingId}: ${parts}.`, `包裹 ${x.trackingId}：${parts}。`);
      })
      .join(''),
  askQuote: (lang: Language) =>
    t(lang, 'To quote shipping I need the item ids and the destination zip code.', '为了计算运费，我需要商品编号（item id）和收货地址的邮编。'),
  quote: (lang: Language, zip: string, options: readonly ShippingOption[]) => {
    const lines = options.slice(0, 3).map((o) => {
      const days = o.daysMin !== undefined ? (o.daysMin === o.daysMax ? `${o.daysMin}` : `${o.daysMin}–${o.daysMax}`) : '?';
      return `- ${o.carrier}${o.service ? ` ${o.service}` : ''}: ${money(o.cost)}, ${t(lang, `${days} days`, `${days} 天`)}`;
    });
    return t(lang, `Shipping to ${zip}:\n`, `寄往 ${zip} 的运费：\n`) + lines.join('\n');
  },
  cannotChange: (lang: Language, kind: WriteKind, orderId: string, status: string) => {
    const need = { cancel: ['pending', '待处理'], return: ['delivered', '已送达'], exchange: ['delivered', '已送达'] }[kind];
    const verb = { cancel: ['cancelled', '取消'], return: ['returned', '退货'], exchange: ['exchanged', '换货'] }[kind];
    return t(
      lang,
      `Order ${orderId} is ${status}, so it can't be ${verb[0]}: only ${need[0]} orders can be ${verb[0]}.`,
      `订单 ${orderId} 当前状态为${statusLabel(status, 'zh')}，无法${verb[1]}：只有${need[1]}的订单才能${verb[1]}。`,
    );
  },
  askWhichItem: (lang: Language, items: readonly OrderItem[]) =>
    t(lang, `Which item would you like to exchange? The order has: ${itemList(items, lang)}.`, `请问您想更换哪件商品？该订单包含：${itemList(items, lang)}。`),
  askVariant: (lang: Language, item: OrderItem, choices: string) =>
    t(
      lang,
      `Which variant of the ${item.name} would you like instead? Available options: ${choices}.`,
      `请问您想把${productLabel(item.name, 'zh')}换成哪个款式？可选：${choices}。`,
    ),
  noVariant: (lang: Language, item: OrderItem) =>
    t(lang, `Sorry, no available variant of the ${item.name} matches what you asked for.`, `抱歉，${productLabel(item.name, 'zh')}没有符合您要求的可售款式。`),
  noPaymentMethod: (lang: Language, orderId: string) =>
    t(lang, `Sorry, I couldn't read the payment method of order ${orderId}.`, `抱歉，我无法读取订单 ${orderId} 的支付方式。`),
  cannotReadOrder: (lang: Language, orderId: string) =>
    t(lang, `Sorry, I couldn't read the details of order ${orderId} right now.`, `抱歉，我暂时无法读取订单 ${orderId} 的详情。`),
  writeDone: (lang: Language, kind: WriteKind, orderId: string, status: string) => {
    const what = { cancel: ['Your order has been cancelled', '订单已取消'], return: ['Your return has been requested', '退货申请已提交'], exchange: ['Your exchange has been requested', '换货申请已提交'] }[kind];
    return t(lang, `Done. ${what[0]}: order ${orderId} is now ${status}.`, `已完成。${what[1]}：订单 ${orderId} 当前状态为${statusLabel(status, 'zh')}。`);
  },
  declined: (lang: Language) => t(lang, "All right, I haven't changed anything. Is there anything else I can help with?", '好的，我没有做任何更改。还有其他可以帮您的吗？'),
  searchResults: (lang: Language, query: string, hits: readonly ProductHit[]) => {
    const lines = hits.map((h, i) => {
      const price = h.min === h.max ? money(h.min) : `${money(h.min)}–${money(h.max)}`;
      const label = lang === 'zh' && h.nameZh && h.nameZh !== h.name ? `${h.name}（${h.nameZh}）` : productLabel(h.name, lang);
      return `${i + 1}. ${label} — ${price}${h.productId ? ` (${t(lang, 'product', '商品编号')} ${h.productId})` : ''}`;
    });
    return t(lang, `Here is what I found for "${query}":\n`, `为您找到以下与“${query}”相关的商品：\n`) + lines.join('\n');
  },
  noResults: (lang: Language, query: string) =>
    t(lang, `Sorry, I couldn't find any product matching "${query}".`, `抱歉，没有找到与“${query}”相关的商品。`),
  askProduct: (lang: Language) => t(lang, 'Which product are you looking for?', '请问您想找什么商品？'),
  stock: (lang: Language, itemId: string, available: boolean | undefined, qty: number | undefined) => {
    if (available === undefined) return t(lang, `I couldn't read the stock of item ${itemId}.`, `无法读取商品 ${itemId} 的库存信息。`);
    const n = qty === undefined ? '' : t(lang, ` (${qty} available)`, `（库存 ${qty} 件）`);
    return available
      ? t(lang, `Item ${itemId} is in stock${n}.`, `商品 ${itemId} 有货${n}。`)
      : t(lang, `Item ${itemId} is out of stock at the moment.`, `商品 ${itemId} 目前缺货。`);
  },
  handoff: (lang: Language) => TEXTS.handoffNotice[lang],
  noHandoff: (lang: Language) =>
    t(lang, "I'm sorry, I can't transfer you to a person from here right now, but I'll do my best to help.", '抱歉，我目前无法为您转接人工客服，但我会尽力帮助您。'),
  toolUnavailable: (lang: Language) =>
    t(lang, "I'm sorry, I can't do that from here right now.", '抱歉，我目前无法在这里完成该操作。'),
  toolHiccup: (lang: Language) => t(lang, 'Sorry for the hiccup on my side. ', '抱歉，刚才我这边出了点小问题。'),
  cannotComplete: (lang: Language) =>
    t(lang, "I'm sorry, I couldn't complete this request. Please try again, or ask for a human agent.", '抱歉，我无法完成这个请求。请稍后再试，或回复“人工”转接人工客服。'),
  explainError: (lang: Language, error: string) => {
    const msg = error.replace(/^\s*Error\s*:?\s*/i, '').trim();
    const known: Record<string, [string, string]> = {
      'order not found': ["I couldn't find that order. Please check the order id.", '没有找到该订单，请核对订单号。'],
      'user not found': ["I couldn't find an account with those details.", '没有找到匹配的账户。'],
      'product not found': ["I couldn't find that product.", '没有找到该商品。'],
      'payment method not found': ["That payment method isn't on your account.", '您的账户中没有该支付方式。'],
      'some item not found': ["Some of those items aren't in that order.", '该订单中没有部分所选商品。'],
    };
    const k = known[msg.toLowerCase()];
    if (k) return t(lang, k[0], k[1]);
    return t(lang, `Sorry, that didn't work: ${msg}.`, `抱歉，操作未能完成：${msg}。`);
  },
};

export type WriteKind = 'cancel' | 'return' | 'exchange';
