// Every call runs as the verified customer: another customer's data reads as missing, and
// nothing in the arguments can widen access.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ShopEngine } from '../engine/engine.ts';
import { createFixtureEngine } from '../testing/fixture.ts';
import { invokeTool } from './invoke.ts';

const ALICE = 'alice_smith_1001';
const BOB = 'bob_jones_2002';
let engine: ShopEngine;

beforeEach(() => {
  engine = createFixtureEngine();
});

describe('authorization', () => {
  it("another customer's order is 'not found' and flagged denied, for reads and writes", () => {
    expect(invokeTool(engine, 'get_order_details', { order_id: '#W1000001' }, { customerId: BOB })).toEqual({ result: 'Error: order not found', denied: true });
    expect(invokeTool(engine, 'cancel_pending_order', { order_id: '#W1000001', reason: 'no longer needed' }, { customerId: BOB })).toEqual({
      result: 'Error: order not found',
      denied: true,
    });
    expect(invokeTool(engine, 'get_shipping_info', { order_id: '#W1000002' }, { customerId: BOB }).result).toBe('Error: order not found');
    expect(invokeTool(engine, 'check_order_status', { order_id: '#W1000002' }, { customerId: BOB }).result).toBe('Error: order not found');
    expect(invokeTool(engine, 'process_return', { order_id: '#W1000002', item_ids: ['9000000001'] }, { customerId: BOB }).denied).toBe(true);
    expect(JSON.parse(invokeTool(engine, 'get_order_details', { order_id: '#W1000001' }, { customerId: ALICE }).result).status).toBe('pending');
  });

  it('a missing order gives the same text without the denied flag (no existence leak either way)', () => {
    expect(invokeTool(engine, 'get_order_details', { order_id: '#W7777777' }, { customerId: BOB })).toEqual({ result: 'Error: order not found' });
  });

  it("another customer's user id is 'user not found'", () => {
    expect(invokeTool(engine, 'get_user_details', { user_id: ALICE }, { customerId: BOB })).toEqual({ result: 'Error: user not found', denied: true });
    const addr = { address1: 'x', address2: '', city: 'y', state: 'z', country: 'USA', zip: '00000' };
    expect(invokeTool(engine, 'modify_user_address', { user_id: ALICE, ...addr }, { customerId: BOB })).toEqual({ result: 'Error: user not found', denied: true });
  });

  it("another customer's payment method is 'payment method not found', flagged denied", () => {
    const r = invokeTool(engine, 'modify_pending_order_payment', { order_id: '#W1000004', payment_method_id: 'gift_card_2000002' }, { customerId: ALICE });
    expect(r).toEqual({ result: 'Error: payment method not found', denied: true });
    const unknown = invokeTool(engine, 'modify_pending_order_payment', { order_id: '#W1000004', payment_method_id: 'gift_card_0' }, { customerId: ALICE });
    expect(unknown).toEqual({ result: 'Error: payment method not found' });
  });

  it('before identification only identification, catalog and local tools answer', () => {
    const anon = { customerId: null };
    expect(invokeTool(engine, 'get_order_details', { order_id: '#W1000001' }, anon)).toEqual({ result: 'Error: order not found', denied: true });
    expect(invokeTool(engine, 'get_user_details', { user_id: ALICE }, anon)).toEqual({ result: 'Error: user not found', denied: true });
    expect(invokeTool(engine, 'cancel_pending_order', { order_id: '#W1000001', reason: 'no longer needed' }, anon).result).toBe('Error: order not found');
    expect(invokeTool(engine, 'get_product_details', { product_id: '8000000001' }, anon).result).toContain('"Lamp"');
    expect(invokeTool(engine, 'search_products', { query: 'lamp' }, anon).result).toContain('8000000001');
    expect(invokeTool(engine, 'check_inventory', { item_id: '8100000001' }, anon).result).toContain('warehouses');
    expect(invokeTool(engine, 'calculate', { expression: '1+1' }, anon).result).toBe('2.0');
    expect(invokeTool(engine, 'find_user_id_by_email', { email: 'bob.jones@example.com' }, anon).identifiedUserId).toBe(BOB);
  });

  it('identity fields smuggled into the arguments are ignored', () => {
    const r = invokeTool(engine, 'get_order_details', { order_id: '#W1000001', customerId: ALICE, user_id: ALICE }, { customerId: BOB });
    expect(r).toEqual({ result: 'Error: order not found', denied: true });
  });

  it('a refused write changes nothing', () => {
    const before = engine.exportAll();
    invokeTool(engine, 'cancel_pending_order', { order_id: '#W1000001', reason: 'no longer needed' }, { customerId: BOB });
    invokeTool(engine, 'modify_pending_order_payment', { order_id: '#W1000004', payment_method_id: 'gift_card_2000002' }, { customerId: ALICE });
    expect(engine.exportAll()).toEqual(before);
  });
});
