import { describe, expect, it } from 'vitest';
import { availableTools, readConversation } from '../conversation.ts';
import { ChatRequest, type WireMessage } from '../request-schema.ts';
import { TOOL_NAMES } from '../test-shop.ts';
import { parseConfirmationRequest } from './confirmation.ts';
import { decide } from './decide.ts';
import type { Decision } from './types.ts';

const sys = (verified: string | null, lang = 'en'): WireMessage => ({ role: 'system', content: `Verified customer: ${verified ?? 'none'}\nCustomer language: ${lang}` });
const user = (content: string): WireMessage => ({ role: 'user', content });
const callMsg = (id: string, name: string, args: unknown): WireMessage => ({
  role: 'assistant',
  content: null,
  tool_calls: [{ id, type: 'function', function: { name, arguments: JSON.stringify(args) } }],
});
const result = (id: string, content: string): WireMessage => ({ role: 'tool', tool_call_id: id, content });

function run(messages: WireMessage[], tools: readonly string[] = TOOL_NAMES): Decision {
  const req = ChatRequest.parse({ messages, tools: tools.map((name) => ({ type: 'function', function: { name } })) });
  const conv = readConversation(req);
  return decide(conv, availableTools(req, conv.system));
}
const calls = (d: Decision) => (d.kind === 'call' ? d.calls.map((c) => ({ name: c.name, args: c.args })) : d.text);

const DELIVERED = JSON.stringify({
  order_id: '#W1000002',
  user_id: 'ada',
  items: [
    { name: 'Water Bottle', product_id: '831', item_id: '6469567736', price: 47.84, options: { capacity: '1000ml', material: 'glass', color: 'blue' } },
    { name: 'Desk Lamp', product_id: '999', item_id: '1111111111', price: 30, options: { color: 'white' } },
  ],
  fulfillments: [],
  status: 'delivered',
  payment_history: [{ transaction_type: 'payment', amount: 77.84, payment_method_id: 'credit_card_1' }],
});
const BOTTLE = JSON.stringify({
  name: 'Water Bottle',
  product_id: '831',
  variants: {
    '6469567736': { item_id: '6469567736', options: { capacity: '1000ml', material: 'glass', color: 'blue' }, available: true, price: 47.84 },
    '2366567022': { item_id: '2366567022', options: { capacity: '1000ml', material: 'glass', color: 'red' }, available: true, price: 49.9 },
    '3333333333': { item_id: '3333333333', options: { capacity: '500ml', material: 'plastic', color: 'red' }, available: true, price: 19 },
    '4444444444': { item_id: '4444444444', options: { capacity: '1000ml', material: 'glass', color: 'green' }, available: false, price: 49 },
  },
});

describe('exchange', () => {
  const ask = user('I want to exchange the blue water bottle in #W1000002 for a red one');
  it('reads the order, then the product, then proposes the closest available variant', () => {
    expect(calls(run([sys('ada'), ask]))).toEqual([{ name: 'get_order_details', args: { order_id: '#W1000002' } }]);
    const afterOrder = [sys('ada'), ask, callMsg('a', 'get_order_details', { order_id: '#W1000002' }), result('a', DELIVERED)];
    expect(calls(run(afterOrder))).toEqual([{ name: 'get_product_details', args: { product_id: '831' } }]);
    const afterProduct = [...afterOrder, callMsg('b', 'get_product_details', { product_id: '831' }), result('b', BOTTLE)];
    expect(calls(run(afterProduct))).toEqual([
      { name: 'exchange_delivered_order_items', args: { order_id: '#W1000002', item_ids: ['6469567736'], new_item_ids: ['2366567022'], payment_method_id: 'credit_card_1' } },
    ]);
  });

  it('asks which variant when none is named, in Mandarin too', () => {
    const msgs = [sys('ada', 'zh'), user('订单 #W1000002 的水瓶我想换货'), callMsg('a', 'get_order_details', { order_id: '#W1000002' }), result('a', DELIVERED), callMsg('b', 'get_product_details', { product_id: '831' }), result('b', BOTTLE)];
    const d = run(msgs);
    expect(d.kind).toBe('answer');
    expect(calls(d)).toMatch(/换成哪个款式.*color: blue\/green\/red/);
  });

  it('continues the exchange when the customer answers which variant', () => {
    const first = [sys('ada'), user('I want to exchange the water bottle in #W1000002')];
    const reads = [callMsg('a', 'get_order_details', { order_id: '#W1000002' }), result('a', DELIVERED), callMsg('b', 'get_product_details', { product_id: '831' }), result('b', BOTTLE)];
    const asked = run([...first, ...reads]);
    if (asked.kind !== 'answer') throw new Error('answer expected');
    const next = [...first, { role: 'assistant' as const, content: asked.text }, user('the red one please'), ...reads];
    expect(calls(run(next))).toEqual([
      { name: 'exchange_delivered_order_items', args: { order_id: '#W1000002', item_ids: ['6469567736'], new_item_ids: ['2366567022'], payment_method_id: 'credit_card_1' } },
    ]);
  });

  it('relays a confirmation request that lists the new item and can be read back', () => {
    const c = { order_id: '#W1000002', item_ids: ['6469567736'], new_item_ids: ['2366567022'], payment_method_id: 'credit_card_1' };
    const msgs = [
      sys('ada'),
      ask,
      callMsg('a', 'get_order_details', { order_id: '#W1000002' }),
      result('a', DELIVERED),
      callMsg('b', 'get_product_details', { product_id: '831' }),
      result('b', BOTTLE),
      callMsg('c', 'exchange_delivered_order_items', c),
      result('c', 'Confirmation required: this action changes the order.'),
    ];
    const d = run(msgs);
    if (d.kind !== 'answer') throw new Error('answer expected');
    expect(d.text).toContain('2366567022 (capacity: 1000ml, material: glass, color: red)');
    expect(parseConfirmationRequest(d.text)).toEqual({ name: 'exchange_delivered_order_items', args: c });
    const yes = run([sys('ada'), ask, { role: 'assistant', content: d.text }, user('yes, go ahead')]);
    expect(calls(yes)).toEqual([{ name: 'exchange_delivered_order_items', args: c }]);
  });
});

describe('cancel', () => {
  const pending = DELIVERED.replace('"delivered"', '"pending"');
  it('cancels a pending order with the reason from the message', () => {
    const msgs = [sys('ada'), user('Please cancel #W1000002, I ordered it by mistake'), callMsg('a', 'get_order_details', { order_id: '#W1000002' }), result('a', pending)];
    expect(calls(run(msgs))).toEqual([{ name: 'cancel_pending_order', args: { order_id: '#W1000002', reason: 'ordered by mistake' } }]);
  });
  it('explains why a delivered order cannot be cancelled', () => {
    const msgs = [sys('ada', 'zh'), user('取消订单 #W1000002'), callMsg('a', 'get_order_details', { order_id: '#W1000002' }), result('a', DELIVERED)];
    expect(calls(run(msgs))).toBe('订单 #W1000002 当前状态为已送达 (delivered)，无法取消：只有待处理的订单才能取消。');
  });
  it('reports success with the new status', () => {
    const args = { order_id: '#W1000002', reason: 'no longer needed' };
    const confirm = `Please confirm\nRef: cancel_pending_order ${JSON.stringify(args)}`;
    const msgs = [sys('ada'), user('cancel #W1000002'), { role: 'assistant' as const, content: confirm }, user('yes'), callMsg('a', 'cancel_pending_order', args), result('a', pending.replace('"pending"', '"cancelled"'))];
    expect(calls(run(msgs))).toBe('Done. Your order has been cancelled: order #W1000002 is now cancelled.');
  });
});

describe('identification and follow-ups', () => {
  it('uses name + zip, then continues the request the customer made before', () => {
    const msgs = [sys(null), user('Where is my order #W1000002?'), { role: 'assistant' as const, content: 'Please tell me your email address?' }, user('I am Ada Lee, zip 10001')];
    expect(calls(run(msgs))).toEqual([{ name: 'find_user_id_by_name_zip', args: { first_name: 'Ada', last_name: 'Lee', zip: '10001' } }]);
    const next = [...msgs, callMsg('a', 'find_user_id_by_name_zip', { first_name: 'Ada', last_name: 'Lee', zip: '10001' }), result('a', 'ada')];
    expect(calls(run(next))).toEqual([{ name: 'get_order_details', args: { order_id: '#W1000002' } }]);
  });

  it('lists the verified customer’s orders when no order id is given', () => {
    const msgs = [sys('ada'), user('where is my order?'), callMsg('a', 'get_user_details', { user_id: 'ada' }), result('a', JSON.stringify({ orders: ['#W1', '#W2'] }))];
    expect(calls(run([sys('ada'), user('where is my order?')]))).toEqual([{ name: 'get_user_details', args: { user_id: 'ada' } }]);
    expect(calls(run(msgs))).toContain('#W1, #W2');
  });

  it('answers without a tool that is not offered', () => {
    expect(calls(run([sys(null), user('do you have kettles?')], ['get_order_details']))).toMatch(/can't do that/);
  });
});

describe('controller notes and misbehaviour', () => {
  it('a [system note] after the request is not the customer; #sim:malformed recovers after it', () => {
    const req = ChatRequest.parse({ messages: [sys('u'), user('#sim:malformed status of #W1000002'), user('[system note] Your previous output could not be used: bad JSON')] });
    const conv = readConversation(req);
    expect(conv.lastUser).toContain('#sim:malformed');
    expect(conv.notes).toHaveLength(1);
  });

  it('#sim:typo-tool: after the repaired call the policy reads its result', () => {
    const msgs = [sys('ada'), user('#sim:typo-tool where is #W1000002'), callMsg('a', 'get_ordr_details', { order_id: '#W1000002' }), result('a', DELIVERED)];
    expect(calls(run(msgs))).toMatch(/^Order #W1000002 is currently: delivered/);
  });
});

describe('shipping', () => {
  const shipped = DELIVERED.replace('"fulfillments":[]', '"fulfillments":[{"tracking_id":["357962501027"],"item_ids":["6469567736"]}]');
  const tools = [...TOOL_NAMES, 'get_shipping_info', 'calculate_shipping'];
  it('adds where the parcel is when the customer asks where the order is', () => {
    const base = [sys('ada'), user('where is my order #W1000002?'), callMsg('a', 'get_order_details', { order_id: '#W1000002' }), result('a', shipped)];
    expect(calls(run(base, tools))).toEqual([{ name: 'get_shipping_info', args: { order_id: '#W1000002' } }]);
    const info = JSON.stringify({ order_id: '#W1000002', status: 'delivered', shipments: [{ tracking_id: '357962501027', carrier: 'UPS', status: 'delivered', delivered_at: '2026-11-20T09:00:00.000Z' }] });
    const d = run([...base, callMsg('b', 'get_shipping_info', { order_id: '#W1000002' }), result('b', info)], tools);
    expect(calls(d)).toMatch(/is currently: delivered\..* Parcel 357962501027: UPS, delivered, delivered 2026-11-20\./);
  });

  it('quotes shipping for item ids to a zip code, or asks for them', () => {
    const ask = user('How much is shipping for item 6469567736 to 10001?');
    expect(calls(run([sys(null), ask], tools))).toEqual([{ name: 'calculate_shipping', args: { item_ids: ['6469567736'], zip: '10001' } }]);
    const quote = JSON.stringify({ options: [{ carrier: 'FedEx', service: 'Express', cost: 25, days_min: 1, days_max: 2 }, { carrier: 'USPS', service: 'Ground', cost: 7.5, days_min: 3, days_max: 5 }] });
    const d = run([sys(null), ask, callMsg('a', 'calculate_shipping', { item_ids: ['6469567736'], zip: '10001' }), result('a', quote)], tools);
    expect(calls(d)).toBe('Shipping to 10001:\n- USPS Ground: $7.50, 3–5 days\n- FedEx Express: $25.00, 1–2 days');
    expect(calls(run([sys(null, 'zh'), user('运费多少？')], tools))).toContain('邮编');
  });
});
