import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { COMMERCE_TOOL_NAMES, commerceTools } from './tool-specs.ts';

const byName = new Map(commerceTools.map((t) => [t.name, t]));
const WRITES = [
  'cancel_pending_order',
  'modify_pending_order_address',
  'modify_pending_order_payment',
  'modify_pending_order_items',
  'return_delivered_order_items',
  'exchange_delivered_order_items',
  'modify_user_address',
  'process_return',
];

describe('commerceTools', () => {
  it('has the 16 τ-bench tools and the extra ones, each with a JSON schema for the model', () => {
    expect(COMMERCE_TOOL_NAMES).toHaveLength(23);
    for (const t of commerceTools) {
      expect(t.description.length).toBeGreaterThan(20);
      const schema = z.toJSONSchema(t.parameters) as { type: string; properties?: Record<string, { description?: string }> };
      expect(schema.type).toBe('object');
      for (const [, p] of Object.entries(schema.properties ?? {})) expect(p.description).toMatch(/\w{3,}/);
    }
  });

  it('order-changing writes are sequential, need confirmation, run in the shop and are not cached', () => {
    for (const t of commerceTools) {
      const write = WRITES.includes(t.name);
      expect(t.readOnly).toBe(!write);
      if (write) {
        expect(t).toMatchObject({ sequential: true, requiresConfirmation: true, run: 'shop' });
        expect(t.cacheTtlSec).toBeUndefined();
      }
    }
  });

  it('effects, local tools, dependencies and cache tags', () => {
    expect(byName.get('find_user_id_by_email')!.effect).toBe('identify');
    expect(byName.get('find_user_id_by_name_zip')!.effect).toBe('identify');
    expect(byName.get('transfer_to_human_agents')!.effect).toBe('handoff');
    for (const n of ['think', 'calculate', 'transfer_to_human_agents']) expect(typeof byName.get(n)!.run).toBe('function');
    for (const t of commerceTools.filter((x) => !['think', 'calculate', 'transfer_to_human_agents'].includes(x.name))) expect(t.run).toBe('shop');
    expect(byName.get('check_inventory')!.dependsOn).toEqual(['get_product_info']);
    expect(byName.get('calculate_shipping')!.dependsOn).toEqual(['get_product_info']);
    expect(byName.get('get_shipping_info')!.dependsOn).toBeUndefined();
    expect(byName.get('get_order_details')!.cacheTags!({ order_id: '#W1' })).toEqual(['order:#W1']);
    expect(byName.get('get_user_details')!.cacheTags!({ user_id: 'u1' })).toEqual(['user:u1']);
    expect(byName.get('get_product_details')!.cacheTags!({ product_id: '9' })).toEqual(['product:9']);
    expect(byName.get('cancel_pending_order')!.cacheTags!({ order_id: '#W1' })).toEqual(['order:#W1']);
    expect(byName.get('get_order_details')!.cacheTtlSec).toBeGreaterThan(0);
  });

  it('local tools answer like the shop does', async () => {
    const ctx = { customerId: null };
    const run = (n: string, a: Record<string, unknown>) => (byName.get(n)!.run as (a: Record<string, unknown>, c: typeof ctx) => string)(a, ctx);
    expect(run('calculate', { expression: '3 * 1.5' })).toBe('4.5');
    expect(run('think', { thought: 'x' })).toBe('');
    expect(run('transfer_to_human_agents', { summary: 'x' })).toBe('Transfer successful');
  });

  it('schemas reject wrong types and drop unknown keys (no identity smuggling)', () => {
    const p = byName.get('get_order_details')!.parameters;
    expect(p.safeParse({ order_id: 1 }).success).toBe(false);
    expect(p.parse({ order_id: '#W1', customerId: 'someone' })).toEqual({ order_id: '#W1' });
  });
});
