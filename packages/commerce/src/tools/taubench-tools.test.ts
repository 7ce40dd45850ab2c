// Every τ-bench tool, check by check in the README's order, on the hand-made fixture.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ShopEngine } from '../engine/engine.ts';
import { createFixtureEngine } from '../testing/fixture.ts';
import { invokeTool } from './invoke.ts';

const ALICE = 'alice_smith_1001';
const BOB = 'bob_jones_2002';
let engine: ShopEngine;
const call = (name: string, args: Record<string, unknown>, customerId: string | null = ALICE) =>
  invokeTool(engine, name, args, { customerId });
const res = (name: string, args: Record<string, unknown>, customerId: string | null = ALICE): string => call(name, args, customerId).result;
const order = (id: string): Record<string, unknown> => JSON.parse(res('get_order_details', { order_id: id }, id.startsWith('#W2') ? BOB : ALICE));
const userText = (id: string): string => res('get_user_details', { user_id: id }, id);

beforeEach(() => {
  engine = createFixtureEngine();
});

describe('identification and reads', () => {
  it('find_user_id_by_email matches case-insensitively and returns the identified user', () => {
    expect(call('find_user_id_by_email', { email: 'ALICE.smith@EXAMPLE.com' }, null)).toEqual({ result: ALICE, identifiedUserId: ALICE });
    expect(call('find_user_id_by_email', { email: 'nobody@example.com' }, null)).toEqual({ result: 'Error: user not found' });
  });

  it('find_user_id_by_name_zip: names case-insensitive, zip exact', () => {
    expect(call('find_user_id_by_name_zip', { first_name: 'alice', last_name: 'SMITH', zip: '10001' }, null)).toEqual({ result: ALICE, identifiedUserId: ALICE });
    expect(res('find_user_id_by_name_zip', { first_name: 'Alice', last_name: 'Smith', zip: '10002' }, null)).toBe('Error: user not found');
    expect(res('find_user_id_by_name_zip', { first_name: 'Alicia', last_name: 'Smith', zip: '10001' }, null)).toBe('Error: user not found');
  });

  it('get_user_details answers json.dumps of the record (int balance stays int)', () => {
    const text = userText(ALICE);
    expect(text.startsWith('{"name": {"first_name": "Alice", "last_name": "Smith"}, "address": {"address1": "1 Main Street"')).toBe(true);
    expect(text).toContain('"balance": 100, ');
    expect(res('get_user_details', { user_id: 'ghost_1' }, 'ghost_1')).toBe('Error: user not found');
  });

  it('get_order_details keeps integral floats as floats', () => {
    expect(res('get_order_details', { order_id: '#W1000004' })).toContain('"price": 10.0, ');
    expect(res('get_order_details', { order_id: '#W9999999' })).toBe('Error: order not found');
  });

  it('get_product_details keeps the source key order of numeric variant ids', () => {
    const text = res('get_product_details', { product_id: '1000000001' }, null);
    expect(text.indexOf('"2000000002"')).toBeLessThan(text.indexOf('"9000000001"'));
    expect(text.indexOf('"9000000001"')).toBeLessThan(text.indexOf('"2000000001"'));
    expect(text).toContain('"available": false, "price": 11.25}');
    expect(res('get_product_details', { product_id: '42' }, null)).toBe('Error: product not found');
  });

  it('list_all_product_types is {name: id} sorted by name', () => {
    expect(res('list_all_product_types', {}, null)).toBe('{"Lamp": "8000000001", "Mug": "1000000001"}');
  });

  it('calculate, think and transfer_to_human_agents', () => {
    expect(res('calculate', { expression: '2 * (3.5 + 4)' }, null)).toBe('15.0');
    expect(res('calculate', { expression: '10 / 4' }, null)).toBe('2.5');
    expect(res('calculate', { expression: '0.125' }, null)).toBe('0.12');
    expect(res('calculate', { expression: '2 + x' }, null)).toBe('Error: invalid characters in expression');
    expect(res('calculate', { expression: '1 / 0' }, null)).toBe('Error: division by zero');
    expect(res('think', { thought: 'hmm' }, null)).toBe('');
    expect(res('transfer_to_human_agents', { summary: 'wants a manager' }, null)).toBe('Transfer successful');
  });
});

describe('cancel_pending_order', () => {
  it('checks existence, then status, then reason', () => {
    expect(res('cancel_pending_order', { order_id: '#W0000000', reason: 'no longer needed' })).toBe('Error: order not found');
    expect(res('cancel_pending_order', { order_id: '#W1000002', reason: 'because' })).toBe('Error: non-pending order cannot be cancelled');
    expect(res('cancel_pending_order', { order_id: '#W1000001', reason: 'because' })).toBe('Error: invalid reason');
    expect(order('#W1000001').status).toBe('pending');
  });

  it('refunds every payment, credits a gift card at once (rounded, int becomes float)', () => {
    const r = call('cancel_pending_order', { order_id: '#W1000001', reason: 'ordered by mistake' });
    const o = JSON.parse(r.result);
    expect(o.status).toBe('cancelled');
    expect(Object.keys(o).slice(-2)).toEqual(['payment_history', 'cancel_reason']);
    expect(o.cancel_reason).toBe('ordered by mistake');
    expect(o.payment_history).toEqual([
      { transaction_type: 'payment', amount: 50.99, payment_method_id: 'gift_card_1000001' },
      { transaction_type: 'refund', amount: 50.99, payment_method_id: 'gift_card_1000001' },
    ]);
    expect(userText(ALICE)).toContain('"balance": 150.99, ');
    expect(r.touched).toEqual(['order:#W1000001', `user:${ALICE}`]);
  });

  it('keeps a refund amount of 10.0 as written', () => {
    const r = res('cancel_pending_order', { order_id: '#W1000004', reason: 'no longer needed' });
    expect(r).toContain('{"transaction_type": "refund", "amount": 10.0, "payment_method_id": "credit_card_1000001"}], "cancel_reason": "no longer needed"}');
    expect(userText(ALICE)).toContain('"balance": 100, ');
  });
});

describe('modify_pending_order_address and modify_user_address', () => {
  const address = { address1: '9 New St', address2: '', city: 'Austin', state: 'TX', country: 'USA', zip: '78701' };

  it('order: exists, pending; replaces the address in address1..zip order', () => {
    expect(res('modify_pending_order_address', { order_id: '#W0', ...address })).toBe('Error: order not found');
    expect(res('modify_pending_order_address', { order_id: '#W1000003', ...address })).toBe('Error: non-pending order cannot be modified');
    const r = res('modify_pending_order_address', { order_id: '#W1000001', ...address });
    expect(r).toContain('"address": {"address1": "9 New St", "address2": "", "city": "Austin", "state": "TX", "country": "USA", "zip": "78701"}');
  });

  it('user: exists; replaces the default address', () => {
    expect(res('modify_user_address', { user_id: 'ghost', ...address }, 'ghost')).toBe('Error: user not found');
    const r = call('modify_user_address', { user_id: ALICE, ...address });
    expect(JSON.parse(r.result).address).toEqual(address);
    expect(r.touched).toEqual([`user:${ALICE}`]);
    expect(res('find_user_id_by_name_zip', { first_name: 'Alice', last_name: 'Smith', zip: '78701' }, null)).toBe(ALICE);
  });
});

describe('modify_pending_order_payment', () => {
  it('checks in order: exists, pending, method of the user, one payment, different, gift card balance', () => {
    const m = (order_id: string, payment_method_id: string, who = ALICE) => res('modify_pending_order_payment', { order_id, payment_method_id }, who);
    expect(m('#W0', 'paypal_1000001')).toBe('Error: order not found');
    expect(m('#W1000002', 'nope')).toBe('Error: non-pending order cannot be modified');
    expect(m('#W1000004', 'gift_card_2000002')).toBe('Error: payment method not found');
    expect(m('#W1000005', 'nope')).toBe('Error: payment method not found');
    expect(m('#W1000005', 'paypal_1000001')).toBe('Error: there should be exactly one payment for a pending order');
    expect(m('#W1000004', 'credit_card_1000001')).toBe('Error: the new payment method should be different from the current one');
    expect(m('#W2000002', 'gift_card_2000002', BOB)).toBe('Error: insufficient gift card balance to pay for the order');
  });

  it('appends payment(new) then refund(old); debits a new gift card (100 − 10.0 → 90.0)', () => {
    const o = JSON.parse(res('modify_pending_order_payment', { order_id: '#W1000004', payment_method_id: 'gift_card_1000001' }));
    expect(o.payment_history.slice(1)).toEqual([
      { transaction_type: 'payment', amount: 10, payment_method_id: 'gift_card_1000001' },
      { transaction_type: 'refund', amount: 10, payment_method_id: 'credit_card_1000001' },
    ]);
    expect(o.status).toBe('pending');
    expect(userText(ALICE)).toContain('"balance": 90.0, ');
  });

  it('credits an old gift card', () => {
    const r = call('modify_pending_order_payment', { order_id: '#W2000001', payment_method_id: 'credit_card_2000002' }, BOB);
    expect(r.touched).toEqual(['order:#W2000001', `user:${BOB}`]);
    expect(userText(BOB)).toContain('"balance": 41.49, ');
  });
});

describe('modify_pending_order_items', () => {
  const m = (item_ids: string[], new_item_ids: string[], payment_method_id = 'gift_card_1000001', order_id = '#W1000001') =>
    res('modify_pending_order_items', { order_id, item_ids, new_item_ids, payment_method_id });

  it('checks in order: exists, pending, multiplicity, lengths, same product and available, method, gift card', () => {
    expect(m(['2000000002'], ['9000000001'], 'x', '#W0')).toBe('Error: order not found');
    expect(m(['2000000002'], ['9000000001'], 'x', '#W1000002')).toBe('Error: non-pending order cannot be modified');
    expect(m(['2000000002', '2000000002', '2000000002'], ['9000000001'], 'x')).toBe('Error: 2000000002 not found');
    expect(m(['8100000001', '8100000001'], [], 'x')).toBe('Error: 8100000001 not found');
    expect(m(['2000000002', '2000000002'], ['9000000001'], 'x')).toBe('Error: the number of items to be exchanged should match');
    expect(m(['2000000002'], ['2000000001'], 'x')).toBe('Error: new item 2000000001 not found or available');
    expect(m(['2000000002'], ['8100000002'], 'x')).toBe('Error: new item 8100000002 not found or available');
    expect(m(['2000000002'], ['9000000001'], 'gift_card_2000002')).toBe('Error: payment method not found');
    expect(m(['2000000002'], ['9000000002'])).toBe('Error: insufficient gift card balance to pay for the new item');
    expect(order('#W1000001').status).toBe('pending');
  });

  it('modifies each listed unit, charges Σ(new − old) and debits the gift card', () => {
    const r = m(['2000000002', '2000000002'], ['9000000001', '9000000001']);
    const o = JSON.parse(r);
    expect(o.status).toBe('pending (item modified)');
    expect(o.items.map((i: { item_id: string }) => i.item_id)).toEqual(['9000000001', '9000000001', '8100000001']);
    expect(o.items[0]).toEqual({ name: 'Mug', product_id: '1000000001', item_id: '9000000001', price: 12.5, options: { color: 'black', size: 'small' } });
    expect(r).toContain('{"transaction_type": "payment", "amount": 5.0, "payment_method_id": "gift_card_1000001"}');
    expect(userText(ALICE)).toContain('"balance": 95.0, ');
  });

  it('a zero difference appends a refund of 0.0', () => {
    expect(m(['8100000001'], ['8100000001'], 'paypal_1000001')).toContain('{"transaction_type": "refund", "amount": 0.0, "payment_method_id": "paypal_1000001"}');
  });

  it('a cheaper variant refunds the difference to a gift card (balance rises)', () => {
    res('modify_pending_order_items', { order_id: '#W2000002', item_ids: ['8100000002'], new_item_ids: ['8100000001'], payment_method_id: 'gift_card_2000002' }, BOB);
    // 10.5 − (30.99 − 45.01) = 24.52
    expect(userText(BOB)).toContain('"balance": 24.52, ');
  });
});

describe('return_delivered_order_items', () => {
  const r = (item_ids: string[], payment_method_id: string, order_id = '#W1000002') =>
    res('return_delivered_order_items', { order_id, item_ids, payment_method_id });

  it('checks in order: exists, delivered, method of the user, original or gift card, items with multiplicity', () => {
    expect(r(['9000000001'], 'x', '#W0')).toBe('Error: order not found');
    expect(r(['9000000001'], 'x', '#W1000003')).toBe('Error: non-delivered order cannot be returned');
    expect(r(['9000000001'], 'credit_card_2000002')).toBe('Error: payment method not found');
    expect(r(['9000000001'], 'paypal_1000001')).toBe('Error: payment method should be either the original payment method or a gift card');
    expect(r(['2000000002', '2000000002'], 'credit_card_1000001')).toBe('Error: some item not found');
  });

  it('marks the return with sorted items, no payment entry, no balance change', () => {
    const o = JSON.parse(r(['9000000001', '2000000002'], 'gift_card_1000001'));
    expect(o.status).toBe('return requested');
    expect(o.return_items).toEqual(['2000000002', '9000000001']);
    expect(o.return_payment_method_id).toBe('gift_card_1000001');
    expect(o.payment_history).toHaveLength(1);
    expect(userText(ALICE)).toContain('"balance": 100, ');
  });
});

describe('exchange_delivered_order_items', () => {
  const x = (item_ids: string[], new_item_ids: string[], payment_method_id: string, order_id = '#W1000002') =>
    res('exchange_delivered_order_items', { order_id, item_ids, new_item_ids, payment_method_id });

  it('checks in order: exists, delivered, items, lengths, variants, method, gift card balance', () => {
    expect(x(['1'], ['2'], 'x', '#W0')).toBe('Error: order not found');
    expect(x(['1'], ['2'], 'x', '#W1000001')).toBe('Error: non-delivered order cannot be exchanged');
    expect(x(['1'], ['2'], 'x')).toBe('Error: 1 not found');
    expect(x(['9000000001'], [], 'x')).toBe('Error: the number of items to be exchanged should match');
    expect(x(['9000000001'], ['2000000001'], 'x')).toBe('Error: new item 2000000001 not found or available');
    expect(x(['9000000001'], ['2000000002'], 'paypal_2')).toBe('Error: payment method not found');
    expect(x(['9000000001'], ['9000000002'], 'gift_card_1000001')).toBe('Error: insufficient gift card balance to pay for the price difference');
  });

  it('records the exchange with a rounded difference and sorted lists', () => {
    const o = JSON.parse(x(['9000000001', '8100000001'], ['2000000002', '8100000002'], 'gift_card_1000001'));
    expect(o.status).toBe('exchange requested');
    expect(o.exchange_items).toEqual(['8100000001', '9000000001']);
    expect(o.exchange_new_items).toEqual(['2000000002', '8100000002']);
    expect(o.exchange_payment_method_id).toBe('gift_card_1000001');
    expect(o.exchange_price_difference).toBe(11.52);
    expect(o.payment_history).toHaveLength(1);
    expect(userText(ALICE)).toContain('"balance": 100, ');
  });
});

describe('arguments', () => {
  it('invalid arguments answer an Error string and change nothing', () => {
    expect(res('cancel_pending_order', { order_id: 5 })).toMatch(/^Error: invalid arguments for cancel_pending_order: /);
  });

  it('an unknown tool throws a not-found StewardError', () => {
    expect(() => call('drop_tables', {})).toThrow(/unknown tool/);
  });
});
