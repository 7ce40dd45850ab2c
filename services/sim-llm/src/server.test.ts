import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startSimLlm, type SimLlm } from './server.ts';
import { loadShopData, runRequest, systemPrompt, TestShop, TOOLS, type ShopData, type TauOrder } from './test-shop.ts';

let sim: SimLlm;
let client: OpenAI;
let data: ShopData;

beforeAll(async () => {
  sim = await startSimLlm({ port: 0 });
  client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'test', maxRetries: 0 });
  data = loadShopData();
});
afterAll(() => sim.close());

const firstOrder = (pred: (o: TauOrder) => boolean): TauOrder => Object.values(data.orders).find(pred)!;
const ordered = () => firstOrder((o) => o.status === 'processed' && o.fulfillments.length > 0);
const delivered = () => firstOrder((o) => o.status === 'delivered' && o.items.length >= 2);

describe('order status', () => {
  it('identifies the customer by email, reads the order and names its real status (English)', async () => {
    const order = ordered();
    const email = data.users[order.user_id]!.email;
    const shop = new TestShop(data);
    const { answer } = await runRequest(client, shop, [
      { role: 'system', content: systemPrompt(null, 'en') },
      { role: 'user', content: `Hi, where is my order ${order.order_id}? My email is ${email}` },
    ]);
    expect(shop.log.map((c) => c.name)).toEqual(['find_user_id_by_email', 'get_order_details']);
    expect(shop.log[0]!.args).toEqual({ email });
    expect(answer).toContain(order.order_id);
    expect(answer).toContain(order.status);
    expect(answer).toContain(order.fulfillments[0]!.tracking_id[0]!);
  });

  it('answers in Mandarin with the translated status and the English word in parentheses', async () => {
    const order = ordered();
    const shop = new TestShop(data);
    const { answer } = await runRequest(client, shop, [
      { role: 'system', content: systemPrompt(order.user_id, 'zh') },
      { role: 'user', content: `我的订单 ${order.order_id} 到哪了？` },
    ]);
    expect(shop.log.map((c) => c.name)).toEqual(['get_order_details']);
    expect(answer).toContain(order.order_id);
    expect(answer).toContain('已处理 (processed)');
    expect(answer).toMatch(/物流单号/);
  });

  it('asks for identification when the customer is not verified and gave nothing', async () => {
    const shop = new TestShop(data);
    const { answer } = await runRequest(client, shop, [
      { role: 'system', content: systemPrompt(null, 'en') },
      { role: 'user', content: 'Where is my order #W2611340?' },
    ]);
    expect(shop.log).toEqual([]);
    expect(answer).toMatch(/email/i);
  });

  it('explains a tool error in the customer language and does not retry', async () => {
    const shop = new TestShop(data);
    const { answer } = await runRequest(client, shop, [
      { role: 'system', content: systemPrompt('someone', 'zh') },
      { role: 'user', content: '订单 #W0000001 的状态是什么？' },
    ]);
    expect(shop.log.map((c) => c.name)).toEqual(['get_order_details']);
    expect(answer).toContain('没有找到该订单');
  });
});

describe('products', () => {
  it('searches with the key words and answers names with price ranges', async () => {
    const shop = new TestShop(data);
    const { answer } = await runRequest(client, shop, [
      { role: 'system', content: systemPrompt(null, 'en') },
      { role: 'user', content: 'Do you have a water bottle?' },
    ]);
    expect(shop.log[0]).toMatchObject({ name: 'search_products', args: { query: 'water bottle' } });
    expect(answer).toContain('Water Bottle');
    expect(answer).toMatch(/\$\d+\.\d\d–\$\d+\.\d\d/);
  });

  it('retries a Mandarin search that finds nothing with the English term', async () => {
    const shop = new TestShop(data);
    const { answer } = await runRequest(client, shop, [
      { role: 'system', content: systemPrompt(null, 'zh') },
      { role: 'user', content: '你们有没有水瓶？多少钱' },
    ]);
    expect(shop.log.map((c) => c.args.query)).toEqual(['水瓶', 'water bottle']);
    expect(answer).toContain('Water Bottle（水瓶）');
  });
});

describe('return with confirmation', () => {
  it('proposes the return, relays the confirmation request, and re-proposes the exact call after "yes"', async () => {
    const order = delivered();
    const item = order.items[0]!;
    const word = String(item.name).split(' ').at(-1)!.toLowerCase();
    const shop = new TestShop(data);
    const first = await runRequest(client, shop, [
      { role: 'system', content: systemPrompt(order.user_id, 'en') },
      { role: 'user', content: `I want to return the ${word} from order ${order.order_id}` },
    ]);
    const proposed = shop.log.find((c) => c.name === 'return_delivered_order_items')!;
    const expectedIds = order.items.filter((i) => new RegExp(`\\b${word}s?\\b`, 'i').test(i.name)).map((i) => i.item_id);
    expect(proposed.args).toEqual({ order_id: order.order_id, item_ids: expectedIds, payment_method_id: order.payment_history[0]!.payment_method_id });
    expect(first.answer).toContain(order.order_id);
    expect(first.answer).toContain(item.item_id);
    expect(first.answer).toContain(order.payment_history[0]!.payment_method_id);
    expect(first.answer).toMatch(/yes/);

    shop.confirmed = true;
    const second = await runRequest(client, shop, [...first.messages, { role: 'user', content: 'yes' }]);
    const calls = shop.log.filter((c) => c.name === 'return_delivered_order_items');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args).toEqual(proposed.args);
    expect(second.answer).toContain('return requested');
  });

  it('asks in Mandarin with 是否确认 and takes 否 as a refusal', async () => {
    const order = delivered();
    const shop = new TestShop(data);
    const first = await runRequest(client, shop, [
      { role: 'system', content: systemPrompt(order.user_id, 'zh') },
      { role: 'user', content: `我要退货，订单 ${order.order_id}` },
    ]);
    expect(first.answer).toContain('是否确认？');
    const ids = shop.log.find((c) => c.name === 'return_delivered_order_items')!.args.item_ids;
    expect(ids).toEqual(order.items.map((i) => i.item_id));
    const before = shop.log.length;
    const second = await runRequest(client, shop, [...first.messages, { role: 'user', content: '否，先不要' }]);
    expect(shop.log.length).toBe(before);
    expect(second.answer).toContain('没有做任何更改');
  });
});

describe('handoff', () => {
  it('transfers to a human with a summary', async () => {
    const shop = new TestShop(data);
    const { answer } = await runRequest(client, shop, [
      { role: 'system', content: systemPrompt(null, 'zh') },
      { role: 'user', content: '转人工' },
    ]);
    expect(shop.log[0]!.name).toBe('transfer_to_human_agents');
    expect(String(shop.log[0]!.args.summary)).toContain('转人工');
    expect(answer).toContain('人工客服');
  });
});

describe('misbehaviour on request', () => {
  it('#sim:loop repeats the same call with the same arguments, even after a loop warning', async () => {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'system', content: systemPrompt('u1', 'en', 'Loop warning: you are repeating the same call.') },
      { role: 'user', content: 'where is my order #sim:loop' },
    ];
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await client.chat.completions.create({ model: 'sim-llm-1', messages, tools: TOOLS });
      const tc = c.choices[0]!.message.tool_calls![0]!;
      if (tc.type !== 'function') throw new Error('function call expected');
      seen.push(`${tc.function.name} ${tc.function.arguments}`);
      messages.push({ role: 'assistant', content: null, tool_calls: [tc] }, { role: 'tool', tool_call_id: tc.id, content: 'Error: order not found' });
    }
    expect(new Set(seen)).toEqual(new Set(['get_order_details {"order_id":"#W0000000"}']));
  });

  it('#sim:bad-tool first calls a tool that does not exist, then answers normally after the error', async () => {
    const order = ordered();
    const shop = new TestShop(data);
    const { answer } = await runRequest(client, shop, [
      { role: 'system', content: systemPrompt(order.user_id, 'en') },
      { role: 'user', content: `#sim:bad-tool status of ${order.order_id}?` },
    ]);
    expect(shop.log.map((c) => c.name)).toEqual(['teleport_parcel', 'get_order_details']);
    expect(answer).toContain(order.status);
  });

  it('#sim:typo-tool calls a near-miss name; #sim:malformed sends arguments that are not JSON', async () => {
    const typo = await client.chat.completions.create({ model: 'sim-llm-1', tools: TOOLS, messages: [{ role: 'system', content: systemPrompt('u1', 'en') }, { role: 'user', content: '#sim:typo-tool where is #W2611340' }] });
    const t = typo.choices[0]!.message.tool_calls![0]!;
    expect(t.type === 'function' && t.function.name).toBe('get_ordr_details');
    const bad = await client.chat.completions.create({ model: 'sim-llm-1', tools: TOOLS, messages: [{ role: 'user', content: '#sim:malformed where is #W2611340' }] });
    const b = bad.choices[0]!.message.tool_calls![0]!;
    expect(b.type).toBe('function');
    expect(() => JSON.parse(b.type === 'function' ? b.function.arguments : '')).toThrow();
    expect(bad.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('a Loop warning stops tool calls and answers with what it has', async () => {
    const order = ordered();
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'system', content: systemPrompt(order.user_id, 'en', 'Loop warning: same call repeated twice.') },
      { role: 'user', content: `where is ${order.order_id}` },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_order_details', arguments: JSON.stringify({ order_id: order.order_id }) } }] },
      { role: 'tool', tool_call_id: 'c1', content: JSON.stringify(order) },
    ];
    const c = await client.chat.completions.create({ model: 'sim-llm-1', messages, tools: TOOLS });
    expect(c.choices[0]!.message.tool_calls).toBeUndefined();
    expect(c.choices[0]!.message.content).toContain(order.status);
  });
});

describe('text format', () => {
  it('without tools emits Thought/Action with tools named in the system prompt, then Final Answer', async () => {
    const order = ordered();
    const sys = `${systemPrompt(order.user_id, 'en')}\nTools:\n- get_order_details(order_id): read an order`;
    const first = await client.chat.completions.create({ model: 'sim-llm-1', messages: [{ role: 'system', content: sys }, { role: 'user', content: `status of ${order.order_id}` }] });
    const content = first.choices[0]!.message.content!;
    expect(content).toMatch(/^Thought: .+\nAction: get_order_details \| \{"order_id":"#W\d{7}"\}$/);
    const second = await client.chat.completions.create({
      model: 'sim-llm-1',
      messages: [
        { role: 'system', content: sys },
        { role: 'user', content: `status of ${order.order_id}` },
        { role: 'assistant', content },
        { role: 'user', content: `Observation: ${JSON.stringify(order)}` },
      ],
    });
    expect(second.choices[0]!.message.content).toMatch(new RegExp(`^Thought: .+\\nFinal Answer: Order ${order.order_id} is currently: ${order.status}`));
  });

  it('#sim:text answers in the text format even when tools are offered', async () => {
    const c = await client.chat.completions.create({ model: 'sim-llm-1', tools: TOOLS, messages: [{ role: 'system', content: systemPrompt('u1', 'en') }, { role: 'user', content: '#sim:text where is #W2611340' }] });
    expect(c.choices[0]!.message.tool_calls).toBeUndefined();
    expect(c.choices[0]!.message.content).toMatch(/\nAction: get_order_details \| /);
  });
});
