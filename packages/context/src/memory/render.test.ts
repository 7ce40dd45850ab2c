import { describe, expect, it } from 'vitest';
import { countTokens } from '../count-tokens.ts';
import { recordRequest, recordToolCalls } from './record.ts';
import { renderMemory } from './render.ts';
import { emptyMemory, type WorkingMemory } from './working-memory.ts';

const model = 'gpt-4o';

function order(id: string, items: string[]): string {
  return JSON.stringify({
    order_id: id,
    user_id: 'u_1',
    address: { address1: '1 Main St', address2: '', city: 'Springfield', country: 'USA', state: 'IL', zip: '62701' },
    items: items.map((i) => ({ name: 'Desk Lamp with a rather long product name', product_id: `p${i}`, item_id: i, price: 49.5, options: { color: 'black', finish: 'matte' } })),
    fulfillments: [{ tracking_id: ['111'], item_ids: items }],
    status: 'delivered',
    payment_history: [{ transaction_type: 'payment', amount: 99, payment_method_id: 'credit_card_1' }],
  });
}

/** Twelve orders, each read in its own turn (ticks 1…12). */
function manyOrders(): WorkingMemory {
  let m = recordToolCalls(emptyMemory(), [{ callId: 'u', name: 'get_user_details', arguments: { user_id: 'u_1' }, result: JSON.stringify({ name: { first_name: 'A', last_name: 'B' }, address: { zip: '1' }, email: 'a@b.c', payment_methods: { credit_card_1: { source: 'credit_card', brand: 'visa', last_four: '1234', id: 'credit_card_1' } }, orders: [] }) }]);
  for (let i = 0; i < 12; i++) {
    const id = `#W10000${String(i).padStart(2, '0')}`;
    m = recordToolCalls(m, [{ callId: `o${i}`, name: 'get_order_details', arguments: { order_id: id }, result: order(id, [`90000000${i}0`, `90000000${i}1`]) }]);
  }
  return m;
}

describe('renderMemory', () => {
  it('lists the most recently referenced first', () => {
    const t = renderMemory(manyOrders(), { model, maxTokens: 100_000 }).text;
    expect(t.indexOf('#W1000011')).toBeLessThan(t.indexOf('#W1000010'));
    expect(t.indexOf('#W1000001')).toBeLessThan(t.indexOf('#W1000000'));
  });

  it('stays within its budget by evicting the least recently referenced, never the customer or recent ones', () => {
    const m = manyOrders();
    // The query's two steps read #W1000010 and #W1000011.
    const r = renderMemory(m, { model, maxTokens: 400, recentTicks: 2 });
    expect(countTokens(r.text, model)).toBeLessThanOrEqual(400);
    expect(r.evicted).toBeGreaterThan(0);
    expect(r.text).toContain('Customer user_id=u_1');
    expect(r.text).toContain('credit_card_1');
    // The last two turns' orders are protected, with their item ids.
    for (const id of ['#W1000011', '#W1000010', '90000000111', '90000000101']) expect(r.text).toContain(id);
    expect(r.text).not.toContain('#W1000000');
  });

  it('never drops an entity named by a pending confirmation or by a recent message, however small the budget', () => {
    let m = manyOrders();
    m = recordToolCalls(m, [
      { callId: 'w', name: 'return_delivered_order_items', arguments: { order_id: '#W1000002', item_ids: ['9000000020'], payment_method_id: 'credit_card_1' }, result: 'Confirmation required: ask first.' },
    ]);
    // Two more turns pass, so only the confirmation protects #W1000002.
    m = recordToolCalls(m, [{ callId: 'x', name: 'calculate', arguments: { expression: '1+1' }, result: '2.0' }]);
    m = recordToolCalls(m, [{ callId: 'y', name: 'calculate', arguments: { expression: '2+2' }, result: '4.0' }]);
    const r = renderMemory(m, { model, maxTokens: 50, recentText: 'what about order #W1000005?' });
    expect(r.text).toContain('Awaiting the customer\'s yes (proposed, not done): return_delivered_order_items {"order_id":"#W1000002","item_ids":["9000000020"]');
    expect(r.text).toContain('Order #W1000002');
    expect(r.text).toContain('Order #W1000005');
    expect(r.text).toContain('9000000050');
    expect(r.text).not.toContain('#W1000003');
  });

  it('shrinks before it evicts, keeping ids', () => {
    const m = manyOrders();
    const full = renderMemory(m, { model, maxTokens: 100_000, recentTicks: 12 });
    const tokens = countTokens(full.text, model);
    const r = renderMemory(m, { model, maxTokens: Math.floor(tokens * 0.8), recentTicks: 12 });
    expect(r.shrunk).toBeGreaterThan(0);
    expect(r.evicted).toBe(0);
    for (let i = 0; i < 12; i++) expect(r.text).toContain(`90000000${i}1`);
  });

  it('leaves out what this query shows in full, and keeps the order stable', () => {
    const m = manyOrders();
    const r = renderMemory(m, { model, maxTokens: 100_000, shownCalls: new Set(['o11']) });
    expect(r.text).not.toContain('#W1000011');
    expect(r.text).toContain('#W1000010');
  });

  it('renders an entity by how the conversation uses it now: one line when nothing names it, ids when a recent message does, more for an open request or a pending write', () => {
    let m = manyOrders();
    m = recordRequest(m, 'q1', 'Please return the lamp from #W1000003');
    m = recordToolCalls(m, [
      { callId: 'w', name: 'return_delivered_order_items', arguments: { order_id: '#W1000004', item_ids: ['9000000040'], payment_method_id: 'credit_card_1' }, result: 'Confirmation required: ask first.' },
    ]);
    const t = renderMemory(m, { model, maxTokens: 100_000, recentText: 'Order #W1000005 is delivered.' }).text;
    const block = (id: string): string => t.slice(t.indexOf(`Order ${id}`)).split('\nOrder ')[0]!;
    // Named nowhere: id and state only, no item ids.
    expect(block('#W1000001')).toBe('Order #W1000001 · status delivered · 2 items');
    expect(t).not.toContain('9000000010');
    // Named by a recent message: its item ids.
    expect(block('#W1000005')).toContain('item_ids 9000000050,9000000051');
    expect(block('#W1000005')).not.toContain('product');
    // Named by an open request: items with their products, and payments.
    expect(block('#W1000003')).toContain('item 9000000030: Desk Lamp with a rather long product name (product p9000000030) $49.5');
    expect(block('#W1000003')).toContain('credit_card_1');
    // Named by the held write: every detail, options and shipping address included.
    expect(block('#W1000004')).toContain('color black, finish matte');
    expect(block('#W1000004')).toContain('ship to: 1 Main St, Springfield, IL, USA, 62701');
    // Referenced during this query (its last step): every detail as well.
    const q = renderMemory(m, { model, maxTokens: 100_000, recentTicks: 1 }).text;
    expect(q).toContain('Order #W1000004 · status delivered\n  item 9000000040:');
  });

  it('keeps the variants of a product an open request names by its name, and one line once it is resolved', () => {
    const product = JSON.stringify({ name: 'Smartphone', product_id: '1801728040', variants: { '5339029584': { item_id: '5339029584', options: { color: 'black', RAM: '4GB' }, available: true, price: 1128.99 }, '1507389580': { item_id: '1507389580', options: { color: 'black', RAM: '8GB' }, available: true, price: 1157.86 } } });
    let m = recordToolCalls(emptyMemory(), [{ callId: 'p', name: 'get_product_details', arguments: { product_id: '1801728040' }, result: product }]);
    m = recordToolCalls(m, [{ callId: 'x', name: 'calculate', arguments: { expression: '1+1' }, result: '2.0' }]);
    m = recordRequest(m, 'q1', 'For #W6426438, modify Smartphone {RAM 8GB} to {RAM 4GB}');
    expect(renderMemory(m, { model, maxTokens: 100_000 }).text).toContain('  5339029584: black, 4GB $1128.99');
    m.requests[0]!.resolved = true;
    const t = renderMemory(m, { model, maxTokens: 100_000 }).text;
    expect(t).toContain('Product product_id 1801728040 Smartphone');
    expect(t).not.toContain('5339029584');
  });
});
