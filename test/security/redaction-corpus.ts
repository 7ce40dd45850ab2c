// A labelled corpus for PII redaction: texts that a trace or a log really holds (tool results as
// JSON, customer messages, agent answers and thoughts, in English and Chinese), each with the
// personal values it contains and the business ids an SRE must still read. Built from τ-bench
// records (or the generated demo catalog, same layout) and generated phones, cards, Chinese names
// and addresses. Nothing here knows how redaction works: it only says what must go and what stays.
import { seededRandom } from '@steward/core';

export type PiiKind = 'email' | 'name' | 'address' | 'city' | 'zip' | 'phone' | 'card';
export type IdKind = 'order' | 'item' | 'product' | 'tracking' | 'payment_method';

export interface LabelledText {
  source: string;
  text: string;
  pii: { kind: PiiKind; value: string }[];
  ids: { kind: IdKind; value: string }[];
  /**
   * Names the system knows in this text's conversation: what its tools were given or returned
   * (get_user_details' name, find_user_id_by_name_zip's arguments). Texts without a cue word
   * ("nocue" sources) are only findable through these, or through a generic rule.
   */
  known?: string[];
}

interface TauUser {
  name: { first_name: string; last_name: string };
  address: { address1: string; address2: string; city: string; country: string; state: string; zip: string };
  email: string;
  payment_methods: Record<string, { id: string }>;
  orders: string[];
}
interface TauOrder {
  order_id: string;
  user_id: string;
  address: TauUser['address'];
  items: { name: string; product_id: string; item_id: string; price: number }[];
  fulfillments: { tracking_id: string[]; item_ids: string[] }[];
  payment_history: { payment_method_id: string }[];
}
export interface TauData {
  users: Record<string, unknown>;
  orders: Record<string, unknown>;
}

const CN_SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高'];
const CN_GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超', '秀英', '小明', '建华', '海燕', '志强'];
const CN_CITIES = ['上海', '北京', '杭州', '深圳', '成都', '南京', '武汉', '西安', '广州', '苏州'];
const CN_DISTRICTS = ['浦东新', '朝阳', '西湖', '南山', '武侯', '鼓楼', '江汉', '雁塔', '天河', '姑苏'];
const CN_ROADS = ['世纪', '中山', '人民', '解放', '建设', '和平', '长江', '文化', '学院', '科技'];
const CN_ROAD_TYPES = ['路', '大道', '街'];

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const digits = (r: Rand, n: number): string => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');

function luhnComplete(body: string): string {
  for (let d = 0; d <= 9; d++) {
    const s = body + d;
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      let x = Number(s[s.length - 1 - i]);
      if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
      sum += x;
    }
    if (sum % 10 === 0) return s;
  }
  throw new Error('unreachable');
}

const cardNumber = (r: Rand): string => luhnComplete(pick(r, ['4', '51', '37', '6011']).padEnd(15, '0').slice(0, 1) + digits(r, 14));
const spacedCard = (c: string): string => c.replace(/(\d{4})(?=\d)/g, '$1 ');
const usPhone = (r: Rand): string => {
  const [a, b, c] = [`${2 + Math.floor(r() * 8)}${digits(r, 2)}`, `${2 + Math.floor(r() * 8)}${digits(r, 2)}`, digits(r, 4)];
  return pick(r, [`(${a}) ${b}-${c}`, `${a}-${b}-${c}`, `+1 ${a} ${b} ${c}`, `${a}.${b}.${c}`]);
};
const cnMobile = (r: Rand): string => {
  const m = `1${pick(r, ['3', '5', '7', '8', '9'])}${digits(r, 9)}`;
  return pick(r, [m, `+86 ${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`, `${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`]);
};
const cnName = (r: Rand): string => pick(r, CN_SURNAMES) + pick(r, CN_GIVEN);
const cnAddress = (r: Rand): string =>
  `${pick(r, CN_CITIES)}市${pick(r, CN_DISTRICTS)}区${pick(r, CN_ROADS)}${pick(r, CN_ROAD_TYPES)}${1 + Math.floor(r() * 999)}号${1 + Math.floor(r() * 30)}0${1 + Math.floor(r() * 9)}室`;

/** The labelled corpus of at most `maxUsers` users of `data` (deterministic for a seed). */
export function buildRedactionCorpus(data: TauData, opts: { maxUsers?: number; seed?: number } = {}): LabelledText[] {
  const r = seededRandom(opts.seed ?? 12);
  const out: LabelledText[] = [];
  const users = Object.entries(data.users as Record<string, TauUser>).slice(0, opts.maxUsers ?? 500);
  const orders = data.orders as Record<string, TauOrder>;
  users.forEach(([userId, u], n) => {
    const { first_name: first, last_name: last } = u.name;
    const a = u.address;
    const pms = Object.keys(u.payment_methods);
    const own = u.orders.map((id) => orders[id]).filter((o): o is TauOrder => o !== undefined);
    const order = own[0];
    const pm = pms[0] ?? 'gift_card_0000000';
    const names = [
      { kind: 'name' as const, value: first },
      { kind: 'name' as const, value: last },
    ];
    const street = [{ kind: 'address' as const, value: a.address1 }];
    const place = [
      { kind: 'city' as const, value: a.city },
      { kind: 'zip' as const, value: a.zip },
    ];

    // get_user_details as the tool returns it.
    out.push({
      source: 'json:user',
      text: JSON.stringify(u),
      pii: [{ kind: 'email', value: u.email }, ...names, ...street, ...place],
      ids: [...pms.map((v) => ({ kind: 'payment_method' as const, value: v })), ...u.orders.map((v) => ({ kind: 'order' as const, value: v }))],
    });
    for (const o of own.slice(0, 2)) {
      out.push({
        source: 'json:order',
        text: JSON.stringify(o),
        pii: [{ kind: 'address', value: o.address.address1 }, { kind: 'city', value: o.address.city }, { kind: 'zip', value: o.address.zip }],
        ids: orderIds(o),
      });
    }
    if (!order) return;
    const item = order.items[0]!;
    const other = order.items[1] ?? item;
    const tracking = order.fulfillments[0]?.tracking_id[0];
    const trackIds = tracking ? [{ kind: 'tracking' as const, value: tracking }] : [];
    const base = [
      { kind: 'order' as const, value: order.order_id },
      { kind: 'item' as const, value: item.item_id },
    ];
    const phone = usPhone(r);
    const card = cardNumber(r);
    const en: LabelledText[] = [
      {
        source: 'en:customer',
        text: `Hi, my name is ${first} ${last} and my email is ${u.email}. Where is my order ${order.order_id}? It had item ${item.item_id}.`,
        pii: [{ kind: 'email', value: u.email }, ...names],
        ids: base,
      },
      {
        source: 'en:customer',
        text: `I'm ${first} ${last}, zip code ${a.zip}. Please return item ${item.item_id} of ${order.order_id} and refund it to ${pm}.`,
        pii: [...names, { kind: 'zip', value: a.zip }],
        ids: [...base, { kind: 'payment_method', value: pm }],
      },
      {
        source: 'en:agent',
        text: `Thank you, ${first}. Order ${order.order_id} was shipped${tracking ? ` with tracking number ${tracking}` : ''} to ${a.address1}${a.address2 ? `, ${a.address2}` : ''}, ${a.city}, ${a.state} ${a.zip}, USA.`,
        pii: [{ kind: 'name', value: first }, ...street, ...place],
        ids: [{ kind: 'order', value: order.order_id }, ...trackIds],
      },
      {
        source: 'en:customer',
        text: `Please send ${order.order_id} to ${a.address1}, ${a.city}, ${a.state} ${a.zip} instead. You can call me at ${phone}.`,
        pii: [...street, ...place, { kind: 'phone', value: phone }],
        ids: [{ kind: 'order', value: order.order_id }],
      },
      {
        source: 'en:customer',
        text: `Can I pay with my card ${n % 2 ? spacedCard(card) : card} instead of ${pm}? The item is ${other.item_id} (product ${other.product_id}).`,
        pii: [{ kind: 'card', value: n % 2 ? spacedCard(card) : card }],
        ids: [
          { kind: 'payment_method', value: pm },
          { kind: 'item', value: other.item_id },
          { kind: 'product', value: other.product_id },
        ],
      },
      {
        source: 'en:agent',
        text: `Dear ${first} ${last}, the exchange of item ${item.item_id} for ${other.item_id} in order ${order.order_id} is confirmed; the difference goes to ${pm}.`,
        pii: names,
        ids: [...base, { kind: 'item', value: other.item_id }, { kind: 'payment_method', value: pm }],
      },
      {
        source: 'en:thought',
        text: `Thought: the user ${first} ${last} (${u.email}, user id ${userId}) asks about ${order.order_id}${tracking ? ` and tracking ${tracking}` : ''}. I should call get_order_details.`,
        pii: [...names, { kind: 'email', value: u.email }],
        ids: [{ kind: 'order', value: order.order_id }, ...trackIds],
      },
    ];
    const zhName = cnName(r);
    const zhPhone = cnMobile(r);
    const zhAddr = cnAddress(r);
    const zhCard = cardNumber(r);
    const zh: LabelledText[] = [
      {
        source: 'zh:customer',
        text: `你好，我叫${zhName}，邮箱是${u.email}，手机${zhPhone}。我的订单${order.order_id}到哪了？`,
        pii: [{ kind: 'name', value: zhName }, { kind: 'email', value: u.email }, { kind: 'phone', value: zhPhone }],
        ids: [{ kind: 'order', value: order.order_id }],
      },
      {
        source: 'zh:agent',
        text: `${zhName}先生您好，订单${order.order_id}已发货${tracking ? `，快递单号${tracking}` : ''}，将送到${zhAddr}。`,
        pii: [{ kind: 'name', value: zhName }, { kind: 'address', value: zhAddr }],
        ids: [{ kind: 'order', value: order.order_id }, ...trackIds],
      },
      {
        source: 'zh:customer',
        text: `请把订单${order.order_id}里的商品${item.item_id}换成${other.item_id}，用${pm}付款。收件人：${zhName}，电话：${zhPhone}，地址：${zhAddr}`,
        pii: [{ kind: 'name', value: zhName }, { kind: 'phone', value: zhPhone }, { kind: 'address', value: zhAddr }],
        ids: [...base, { kind: 'item', value: other.item_id }, { kind: 'payment_method', value: pm }],
      },
      {
        source: 'zh:customer',
        text: `姓名：${zhName}，银行卡号 ${zhCard}，邮编 ${a.zip}。商品编号 ${other.product_id}`,
        pii: [{ kind: 'name', value: zhName }, { kind: 'card', value: zhCard }, { kind: 'zip', value: a.zip }],
        ids: [{ kind: 'product', value: other.product_id }],
      },
    ];
    // Names with no cue word before them, as customers and agents really write them. Where the
    // conversation's tools learned the name (`known`), it must go; the generic rules must catch
    // the rest (a name introduced by "it's" or followed by "here", a Chinese name before 您好).
    // As get_user_details returned it; the redactor also takes each word of it.
    const known = [`${first} ${last}`];
    const zhName2 = cnName(r);
    const nocue: LabelledText[] = [
      {
        source: 'en:nocue',
        text: `hi it's ${first} ${last} again, has ${order.order_id} shipped yet?`,
        pii: names,
        ids: [{ kind: 'order', value: order.order_id }],
      },
      {
        source: 'en:nocue',
        text: `${first} ${last} here. I want to return ${item.item_id} from ${order.order_id}.`,
        pii: names,
        ids: base,
      },
      {
        source: 'en:nocue+known',
        text: `ok so the account is under ${first.toLowerCase()} ${last.toLowerCase()}, can you refund ${order.order_id} to ${pm}`,
        pii: [
          { kind: 'name', value: first.toLowerCase() },
          { kind: 'name', value: last.toLowerCase() },
        ],
        ids: [{ kind: 'order', value: order.order_id }, { kind: 'payment_method', value: pm }],
        known,
      },
      {
        source: 'en:nocue+known',
        text: `Got it ${first}, order ${order.order_id} is cancelled and ${pm} gets the refund.`,
        pii: [{ kind: 'name', value: first }],
        ids: [{ kind: 'order', value: order.order_id }, { kind: 'payment_method', value: pm }],
        known,
      },
      {
        source: 'en:nocue+known',
        text: `Thought: get_user_details returned ${first} ${last} for user id ${userId}; ${order.order_id} and ${item.item_id} are theirs.`,
        pii: names,
        ids: base,
        known,
      },
      {
        source: 'zh:nocue',
        text: `${zhName2}您好，订单${order.order_id}已经取消，退款会回到${pm}。`,
        pii: [{ kind: 'name', value: zhName2 }],
        ids: [{ kind: 'order', value: order.order_id }, { kind: 'payment_method', value: pm }],
      },
      {
        source: 'zh:nocue',
        text: `本人${zhName2}，想退掉订单${order.order_id}里的${item.item_id}`,
        pii: [{ kind: 'name', value: zhName2 }],
        ids: base,
      },
      {
        source: 'zh:nocue+known',
        text: `订单${order.order_id}是${zhName2}下的，帮忙查一下物流`,
        pii: [{ kind: 'name', value: zhName2 }],
        ids: [{ kind: 'order', value: order.order_id }],
        known: [zhName2],
      },
    ];
    out.push(...en, ...zh, ...nocue);
  });
  return out;
}

function orderIds(o: TauOrder): LabelledText['ids'] {
  return [
    { kind: 'order', value: o.order_id },
    ...o.items.flatMap((i) => [
      { kind: 'item' as const, value: i.item_id },
      { kind: 'product' as const, value: i.product_id },
    ]),
    ...o.fulfillments.flatMap((f) => f.tracking_id.map((value) => ({ kind: 'tracking' as const, value }))),
    ...o.payment_history.map((p) => ({ kind: 'payment_method' as const, value: p.payment_method_id })),
  ];
}

export interface CorpusScore {
  pii: number;
  piiRedacted: number;
  ids: number;
  idsKept: number;
  byKind: Record<string, { total: number; ok: number }>;
  misses: { source: string; kind: string; value: string; output: string }[];
}

// A value "appears" as a whole token: "Li" inside "Lily" or "li_" is not the surname Li.
const appears = (haystack: string, value: string): boolean => {
  const esc = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return /^[A-Za-z]/.test(value) ? new RegExp(`(?<![A-Za-z])${esc}(?![A-Za-z])`).test(haystack) : haystack.includes(value);
};

/**
 * Run `redact` over the corpus (given each text's known names): recall on PII (value gone) and
 * kept business ids (value still there).
 */
export function scoreRedaction(corpus: readonly LabelledText[], redact: (s: string, known: readonly string[]) => string): CorpusScore {
  const s: CorpusScore = { pii: 0, piiRedacted: 0, ids: 0, idsKept: 0, byKind: {}, misses: [] };
  const tally = (kind: string, ok: boolean): void => {
    const k = (s.byKind[kind] ??= { total: 0, ok: 0 });
    k.total++;
    if (ok) k.ok++;
  };
  for (const t of corpus) {
    const output = redact(t.text, t.known ?? []);
    for (const p of t.pii) {
      const gone = !appears(output, p.value);
      s.pii++;
      if (gone) s.piiRedacted++;
      else s.misses.push({ source: t.source, kind: p.kind, value: p.value, output });
      tally(`pii:${p.kind}`, gone);
    }
    for (const id of t.ids) {
      const kept = output.includes(id.value);
      s.ids++;
      if (kept) s.idsKept++;
      else s.misses.push({ source: t.source, kind: id.kind, value: id.value, output });
      tally(`id:${id.kind}`, kept);
    }
  }
  return s;
}
