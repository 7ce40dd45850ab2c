// Test support (not shipped behaviour): a tiny scripted shop that answers tool calls the way
// τ-bench does, over the reference data in ../shared/taubench when present or a handmade
// order otherwise, and a driver that runs the ReAct loop against sim-llm with the openai client.
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type OpenAI from 'openai';
import { TAUBENCH_DIR } from '@steward/testing';

const TAU = pathToFileURL(TAUBENCH_DIR + '/');

export interface TauItem {
  name: string;
  product_id: string;
  item_id: string;
  price: number;
  options: Record<string, string>;
}
export interface TauOrder {
  order_id: string;
  user_id: string;
  items: TauItem[];
  fulfillments: { tracking_id: string[]; item_ids: string[] }[];
  status: string;
  payment_history: { transaction_type: string; amount: number; payment_method_id: string }[];
  [more: string]: unknown;
}
export interface TauUser {
  email: string;
  orders: string[];
  [more: string]: unknown;
}
export interface TauProduct {
  name: string;
  product_id: string;
  variants: Record<string, { item_id: string; options: Record<string, string>; available: boolean; price: number }>;
}
type Args = Record<string, unknown>;

export interface ShopData {
  users: Record<string, TauUser>;
  orders: Record<string, TauOrder>;
  products: Record<string, TauProduct>;
  source: 'taubench' | 'handmade';
}

const HANDMADE: Omit<ShopData, 'source'> = {
  users: {
    ada_lee_1001: {
      name: { first_name: 'Ada', last_name: 'Lee' },
      email: 'ada.lee@example.com',
      address: { zip: '10001' },
      payment_methods: { credit_card_1: { source: 'credit_card', brand: 'visa', last_four: '4242', id: 'credit_card_1' } },
      orders: ['#W1000001', '#W1000002'],
    },
  },
  orders: {
    '#W1000001': {
      order_id: '#W1000001',
      user_id: 'ada_lee_1001',
      items: [
        { name: 'Water Bottle', product_id: '8310926033', item_id: '6469567736', price: 47.84, options: { capacity: '1000ml', material: 'glass', color: 'blue' } },
        { name: 'Office Chair', product_id: '4794339885', item_id: '8426249116', price: 488.81, options: { material: 'fabric', color: 'black' } },
      ],
      fulfillments: [{ tracking_id: ['357962501027'], item_ids: ['6469567736', '8426249116'] }],
      status: 'processed',
      payment_history: [{ transaction_type: 'payment', amount: 536.65, payment_method_id: 'credit_card_1' }],
    },
    '#W1000002': {
      order_id: '#W1000002',
      user_id: 'ada_lee_1001',
      // Two items: the return tests pick one item by name out of several.
      items: [
        { name: 'Water Bottle', product_id: '8310926033', item_id: '6469567736', price: 47.84, options: { capacity: '1000ml', material: 'glass', color: 'blue' } },
        { name: 'Office Chair', product_id: '4794339885', item_id: '8426249116', price: 488.81, options: { material: 'fabric', color: 'black' } },
      ],
      fulfillments: [{ tracking_id: ['112233445566'], item_ids: ['6469567736', '8426249116'] }],
      status: 'delivered',
      payment_history: [{ transaction_type: 'payment', amount: 536.65, payment_method_id: 'credit_card_1' }],
    },
  },
  products: {
    '8310926033': {
      name: 'Water Bottle',
      product_id: '8310926033',
      variants: {
        '6469567736': { item_id: '6469567736', options: { capacity: '1000ml', material: 'glass', color: 'blue' }, available: true, price: 47.84 },
        '2366567022': { item_id: '2366567022', options: { capacity: '1000ml', material: 'glass', color: 'red' }, available: true, price: 49.9 },
      },
    },
  },
};

export function loadShopData(): ShopData {
  if (existsSync(new URL('orders.json', TAU))) {
    const read = <T>(f: string): Record<string, T> => JSON.parse(readFileSync(new URL(f, TAU), 'utf8')) as Record<string, T>;
    return { users: read<TauUser>('users.json'), orders: read<TauOrder>('orders.json'), products: read<TauProduct>('products.json'), source: 'taubench' };
  }
  return { ...structuredClone(HANDMADE), source: 'handmade' };
}

export interface ToolCallLog {
  name: string;
  args: Args;
  result: string;
}

/** Runs tools against the data; writes answer `Confirmation required: …` until `confirmed`. */
export class TestShop {
  readonly data: ShopData;
  confirmed = false;
  readonly log: ToolCallLog[] = [];

  constructor(data: ShopData) {
    // Each test's writes stay in its own copy: a return in one test must not change the next one's data.
    this.data = structuredClone(data);
  }

  run(name: string, rawArgs: string): string {
    let args: Args;
    try {
      args = JSON.parse(rawArgs) as Args;
    } catch {
      return 'Error: arguments are not valid JSON';
    }
    const result = this.exec(name, args);
    this.log.push({ name, args, result });
    return result;
  }

  private exec(name: string, a: Args): string {
    const s = (k: string): string => (typeof a[k] === 'string' ? a[k] : '');
    const { users, orders, products } = this.data;
    switch (name) {
      case 'find_user_id_by_email': {
        const hit = Object.entries(users).find(([, u]) => u.email.toLowerCase() === s('email').toLowerCase());
        return hit ? hit[0] : 'Error: user not found';
      }
      case 'get_user_details':
        return users[s('user_id')] ? JSON.stringify(users[s('user_id')]) : 'Error: user not found';
      case 'get_order_details':
        return orders[s('order_id')] ? JSON.stringify(orders[s('order_id')]) : 'Error: order not found';
      case 'get_product_details':
        return products[s('product_id')] ? JSON.stringify(products[s('product_id')]) : 'Error: product not found';
      case 'search_products': {
        const words = s('query').toLowerCase().split(/\s+/).filter(Boolean);
        const hits = Object.values(products)
          .filter((p) => words.some((w) => p.name.toLowerCase().includes(w)))
          .map((p) => {
            const prices = Object.values(p.variants).map((v) => v.price);
            return { name: p.name, product_id: p.product_id, price_range: { min: Math.min(...prices), max: Math.max(...prices) } };
          });
        return JSON.stringify({ results: hits });
      }
      case 'return_delivered_order_items': {
        const o = orders[s('order_id')];
        if (!o) return 'Error: order not found';
        if (o.status !== 'delivered') return 'Error: non-delivered order cannot be returned';
        if (!this.confirmed) return 'Confirmation required: this action changes the order. List its exact details to the customer and ask for an explicit "yes".';
        const ids = Array.isArray(a.item_ids) ? a.item_ids.map(String) : [];
        Object.assign(o, { status: 'return requested', return_items: ids.sort(), return_payment_method_id: s('payment_method_id') });
        return JSON.stringify(o);
      }
      case 'transfer_to_human_agents':
        return 'Transfer successful';
      default:
        return `Error: unknown tool ${name}`;
    }
  }
}

export const TOOL_NAMES = [
  'find_user_id_by_email',
  'find_user_id_by_name_zip',
  'get_user_details',
  'get_order_details',
  'get_product_details',
  'search_products',
  'check_inventory',
  'cancel_pending_order',
  'return_delivered_order_items',
  'exchange_delivered_order_items',
  'transfer_to_human_agents',
  'think',
];

export const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = TOOL_NAMES.map((name) => ({
  type: 'function',
  function: { name, description: `${name} (test)`, parameters: { type: 'object', properties: {}, additionalProperties: true } },
}));

export function systemPrompt(verified: string | null, lang: 'en' | 'zh', extra = ''): string {
  return `You are steward, a customer-service agent.\nVerified customer: ${verified ?? 'none'}\nCustomer language: ${lang}\n${extra}`;
}

export interface Turn {
  messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[];
  answer: string;
  completions: OpenAI.Chat.Completions.ChatCompletion[];
}

/** One customer request: call the model, run its tools, feed results back, until it answers. */
export async function runRequest(
  client: OpenAI,
  shop: TestShop,
  history: OpenAI.Chat.Completions.ChatCompletionMessageParam[],
  maxTurns = 8,
): Promise<Turn> {
  const messages = [...history];
  const completions: OpenAI.Chat.Completions.ChatCompletion[] = [];
  for (let turn = 0; turn < maxTurns; turn++) {
    const c = await client.chat.completions.create({ model: 'sim-llm-1', messages, tools: TOOLS });
    completions.push(c);
    const msg = c.choices[0]!.message;
    if (!msg.tool_calls?.length) return { messages: [...messages, { role: 'assistant', content: msg.content ?? '' }], answer: msg.content ?? '', completions };
    messages.push({ role: 'assistant', content: msg.content, tool_calls: msg.tool_calls });
    for (const tc of msg.tool_calls) {
      if (tc.type !== 'function') continue;
      messages.push({ role: 'tool', tool_call_id: tc.id, content: shop.run(tc.function.name, tc.function.arguments) });
    }
  }
  throw new Error(`no answer after ${maxTurns} turns`);
}
