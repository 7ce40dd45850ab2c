import { describe, expect, it } from 'vitest';
import { emptyMemory, recordRequest, recordToolCalls } from '@steward/context';
import { selectTools } from './select-tools.ts';

const ALL = [
  'find_user_id_by_email', 'find_user_id_by_name_zip', 'get_user_details', 'get_order_details', 'transfer_to_human_agents',
  'search_products', 'get_product_details', 'check_inventory', 'return_delivered_order_items', 'cancel_pending_order',
  'get_shipping_info', 'calculate',
];
const user = (content: string) => ({ role: 'user' as const, content });

describe('selectTools', () => {
  it('always offers order lookup and handoff, and identification before the customer is known', () => {
    expect([...selectTools(ALL, [user('hello')], [])].sort()).toEqual(['get_order_details', 'get_user_details', 'transfer_to_human_agents']);
    // calculate only when arithmetic is asked for (no τ-bench train task's gold uses it).
    expect(selectTools(ALL, [user('what is the total of my two orders?')], []).has('calculate')).toBe(true);
    // With an order id named, the profile is not needed.
    expect(selectTools(ALL, [user('status of #W2611340?')], []).has('get_user_details')).toBe(false);
    const anon = selectTools(ALL, [user('hello')], [], false);
    expect(anon.has('find_user_id_by_email') && anon.has('find_user_id_by_name_zip')).toBe(true);
  });

  it('adds product tools for a product question, in English and Chinese', () => {
    expect(selectTools(ALL, [user('Do you have a water bottle under $50?')], []).has('search_products')).toBe(true);
    expect(selectTools(ALL, [user('你们有水瓶吗？多少钱？')], []).has('search_products')).toBe(true);
    expect(selectTools(ALL, [user('Do you sell hiking boots?')], []).has('search_products')).toBe(true);
  });

  it('keeps the write tool of a confirmation the customer answers with "yes"', () => {
    const conv = [
      user('I want to return the water bottle from #W4435622'),
      { role: 'assistant' as const, content: 'Please confirm: return_delivered_order_items for #W4435622. Yes or no?' },
      user('yes'),
    ];
    expect(selectTools(ALL, conv, []).has('return_delivered_order_items')).toBe(true);
  });

  it('keeps every tool the query already used', () => {
    const pad = [{ role: 'assistant' as const, content: null, tool_calls: [{ id: 'c1', type: 'function' as const, function: { name: 'calculate', arguments: '{}' } }] }];
    expect(selectTools(ALL, [user('hi')], pad).has('calculate')).toBe(true);
  });

  it('never offers a tool that is not registered', () => {
    expect(selectTools(['get_order_details'], [user('return and cancel and ship')], []).size).toBe(1);
  });

  it('a "yes" after earlier queries still gets every tool the remembered entities and open requests need', () => {
    const order = (id: string, status: string) => JSON.stringify({ order_id: id, status, items: [{ item_id: '1', product_id: '2', name: 'Mug', price: 3, options: {} }], payment_history: [] });
    let m = recordRequest(emptyMemory(), 'q1', 'I want to cancel an order and return a lamp');
    m = recordToolCalls(m, [
      { callId: 'a', name: 'get_user_details', arguments: { user_id: 'u_1' }, result: JSON.stringify({ name: { first_name: 'A', last_name: 'B' }, address: {}, email: 'x', payment_methods: {}, orders: ['#W1', '#W2'] }) },
      { callId: 'b', name: 'get_order_details', arguments: { order_id: '#W1' }, result: order('#W1', 'pending') },
      { callId: 'c', name: 'get_order_details', arguments: { order_id: '#W2' }, result: order('#W2', 'delivered') },
    ]);
    const chosen = selectTools(ALL, [user('I want to cancel an order and return a lamp'), { role: 'assistant', content: 'Shall I go ahead?' }, user('yes')], [], true, m);
    for (const t of ['cancel_pending_order', 'return_delivered_order_items', 'get_user_details', 'get_product_details']) expect(chosen.has(t), t).toBe(true);
  });

  it('offers an order\'s writes only while a change is asked for and the order is being worked on', () => {
    const order = (id: string, status: string) => JSON.stringify({ order_id: id, status, items: [{ item_id: '1', product_id: '2', name: 'Mug', price: 3, options: {} }], payment_history: [] });
    const read = recordToolCalls(emptyMemory(), [{ callId: 'b', name: 'get_order_details', arguments: { order_id: '#W1234567' }, result: order('#W1234567', 'pending') }]);
    // A status question: no write definitions.
    const status = recordRequest(read, 'q2', 'Is #W1234567 shipped yet?');
    expect(selectTools(ALL, [user('Is #W1234567 shipped yet?')], [], true, status).has('cancel_pending_order')).toBe(false);
    // A change asked for: every write the order's status allows comes with it (cancel too, which the words do not name).
    const change = recordRequest(read, 'q3', 'About #W1234567: I would like to modify it');
    expect(selectTools(ALL, [user('About #W1234567: I would like to modify it')], [], true, change).has('cancel_pending_order')).toBe(true);
    // A shipping-cost question gets the quote tool, a tracking question does not.
    const all = [...ALL, 'calculate_shipping'];
    expect(selectTools(all, [user('Where is my parcel #W1234567?')], []).has('calculate_shipping')).toBe(false);
    expect(selectTools(all, [user('How much is shipping to 10001?')], []).has('calculate_shipping')).toBe(true);
  });
});
