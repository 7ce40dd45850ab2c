import { beforeEach, describe, expect, it } from 'vitest';
import type { ShopEngine } from '../engine/engine.ts';
import { createFixtureEngine } from '../testing/fixture.ts';
import { invokeTool } from './invoke.ts';

const ALICE = 'alice_smith_1001';
let engine: ShopEngine;
const json = (name: string, args: Record<string, unknown>, customerId: string | null = ALICE) =>
  JSON.parse(invokeTool(engine, name, args, { customerId }).result) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeEach(() => {
  engine = createFixtureEngine();
});

describe('extra tools', () => {
  it('get_product_info: compact bilingual info with price range and option values', () => {
    const info = json('get_product_info', { product_id: '8000000001' }, null);
    expect(info).toMatchObject({ product_id: '8000000001', name: 'Lamp', name_zh: 'Lamp', price_range: [30.99, 45.01], variants: 2, available_variants: 2 });
    expect(info.options).toEqual({ color: ['white', 'black'] });
    expect(invokeTool(engine, 'get_product_info', { product_id: 'x' }, { customerId: null }).result).toBe('Error: product not found');
  });

  it('check_inventory: per-warehouse stock, none for an unavailable variant', () => {
    const inv = json('check_inventory', { item_id: '8100000001' }, null);
    expect(inv.warehouses).toHaveLength(4);
    expect(inv.total_quantity).toBe(inv.warehouses.reduce((s: number, w: { quantity: number }) => s + w.quantity, 0));
    expect(inv.total_quantity).toBeGreaterThan(0);
    expect(json('check_inventory', { item_id: '2000000001' }, null).total_quantity).toBe(0);
    expect(invokeTool(engine, 'check_inventory', { item_id: 'nope' }, { customerId: null }).result).toBe('Error: item not found');
  });

  it('calculate_shipping: options sorted by cost; heavier or farther costs more', () => {
    const near = json('calculate_shipping', { item_ids: ['8100000001'], zip: '89501' }, null);
    expect(near.options.length).toBeGreaterThan(2);
    const costs = near.options.map((o: { cost: number }) => o.cost);
    expect(costs).toEqual([...costs].sort((a: number, b: number) => a - b));
    const two = json('calculate_shipping', { item_ids: ['8100000001', '8100000001'], zip: '89501' }, null);
    expect(two.weight_kg).toBeGreaterThan(near.weight_kg);
    const abroad = json('calculate_shipping', { item_ids: ['8100000001'], zip: 'SW1A', country: 'UK' }, null);
    expect(abroad.zone).toBe('intl');
    expect(Math.min(...abroad.options.map((o: { cost: number }) => o.cost))).toBeGreaterThan(Math.min(...costs));
    expect(invokeTool(engine, 'calculate_shipping', { item_ids: ['nope'], zip: '1' }, { customerId: null }).result).toBe('Error: item nope not found');
  });

  it('get_shipping_info: tracking per fulfillment for a shipped order, none for a pending one', () => {
    const shipped = json('get_shipping_info', { order_id: '#W1000002' });
    expect(shipped.shipments).toHaveLength(1);
    expect(shipped.shipments[0]).toMatchObject({ tracking_id: '100000200001', status: 'delivered' });
    expect(shipped.shipments[0].events.at(-1).status).toBe('delivered');
    expect(json('get_shipping_info', { order_id: '#W1000003' }).shipments[0].status).toBe('in_transit');
    expect(json('get_shipping_info', { order_id: '#W1000001' })).toMatchObject({ shipments: [], note: 'not shipped yet' });
  });

  it('check_order_status: status, counts and amounts', () => {
    expect(json('check_order_status', { order_id: '#W1000005' })).toMatchObject({ status: 'pending', items: 1, paid: 10, refunded: 10 });
  });

  it('process_return: same effect as return_delivered_order_items, original method by default', () => {
    const r = invokeTool(engine, 'process_return', { order_id: '#W1000002', item_ids: ['9000000001'] }, { customerId: ALICE, idempotencyKey: 'r1' });
    const o = JSON.parse(r.result);
    expect(o).toMatchObject({ status: 'return requested', return_items: ['9000000001'], return_payment_method_id: 'credit_card_1000001' });
    expect(r.touched).toEqual(['order:#W1000002']);
    expect(invokeTool(engine, 'process_return', { order_id: '#W1000002', item_ids: ['9000000001'] }, { customerId: ALICE, idempotencyKey: 'r1' }).replayed).toBe(true);
    const other = createFixtureEngine();
    const viaTau = invokeTool(other, 'return_delivered_order_items', { order_id: '#W1000002', item_ids: ['9000000001'], payment_method_id: 'credit_card_1000001' }, { customerId: ALICE });
    expect(r.result).toBe(viaTau.result);
    expect(invokeTool(engine, 'process_return', { order_id: '#W1000001', item_ids: ['2000000002'] }, { customerId: ALICE }).result).toBe('Error: non-delivered order cannot be returned');
  });
});
