import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { ToolRegistry } from './registry.ts';
import { resolveCall, validateArgs } from './resolve-call.ts';
import { resolveToolName } from './resolve-name.ts';
import { nameSimilarity, normalizeToolName } from './similarity.ts';
import { testSpecs } from './test-specs.ts';

const registry = new ToolRegistry(testSpecs);

describe('tool name normalisation and similarity', () => {
  it('normalises case, separators and camelCase', () => {
    expect(normalizeToolName('getOrderDetails')).toBe('get_order_details');
    expect(normalizeToolName('Get-Order  Details')).toBe('get_order_details');
    expect(normalizeToolName('HTTPGetOrder')).toBe('http_get_order');
  });

  it('keeps sibling tools of one pack below the repair bar', () => {
    expect(nameSimilarity('get_order_details', 'get_user_details')).toBeLessThan(0.85);
    expect(nameSimilarity('get_order_detail', 'get_order_details')).toBeGreaterThanOrEqual(0.85);
  });
});

describe('resolveToolName', () => {
  it('passes an exact name without marking it repaired', () => {
    expect(resolveToolName(registry, 'get_order_details')).toEqual({ ok: true, name: 'get_order_details' });
  });

  it.each([
    ['getOrderDetails', 'get_order_details'],
    ['GET_ORDER_DETAILS', 'get_order_details'],
    ['functions.get_order_details', 'get_order_details'],
    ['get_order_detail', 'get_order_details'],
    ['get_prodcut_details', 'get_product_details'],
    ['cancel_pending_ordr', 'cancel_pending_order'],
    ['transfer_to_human_agent', 'transfer_to_human_agents'],
  ])('repairs %s → %s', (written, meant) => {
    expect(resolveToolName(registry, written)).toEqual({ ok: true, name: meant, repairedFrom: written });
  });

  it('does not repair when two tools are within the bar (ambiguous)', () => {
    // 1 edit from get_order_details, 2 from get_user_details: both ≥ 0.85, so not "clearly one".
    const r = resolveToolName(registry, 'get_oder_details');
    expect(r).toMatchObject({ ok: false, suggestions: ['get_order_details', 'get_user_details', 'get_product_details'] });
  });

  it('does not repair a name that is only a sibling of a real tool', () => {
    const r = resolveToolName(registry, 'get_customer_details');
    expect(r.ok).toBe(false);
  });

  it('suggests at most three close names, never the whole list', () => {
    const r = resolveToolName(registry, 'get_order_status');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.suggestions.length).toBeGreaterThan(0);
    expect(r.suggestions.length).toBeLessThanOrEqual(3);
    expect(r.suggestions[0]).toBe('get_order_details');
    expect(r.error).toBe(`Unknown tool get_order_status. Did you mean: ${r.suggestions.join(', ')}?`);
  });

  it('gives no suggestions for a name unlike any tool', () => {
    const r = resolveToolName(registry, 'weather');
    expect(r).toEqual({ ok: false, error: 'Unknown tool weather.', suggestions: [] });
  });
});

describe('resolveCall', () => {
  it('parses a JSON string and returns the validated arguments', () => {
    const r = resolveCall(registry, 'get_order_details', '{"order_id":"#W1"}');
    expect(r).toEqual({ ok: true, name: 'get_order_details', args: { order_id: '#W1' }, dropped: [], coerced: [], refs: [] });
  });

  it('accepts an already parsed object and an empty argument string', () => {
    expect(resolveCall(registry, 'get_order_details', { order_id: '#W1' }).ok).toBe(true);
    const r = resolveCall(registry, 'get_order_details', '');
    expect(r).toMatchObject({ ok: false, code: 'invalid_arguments' });
  });

  it('decodes double-encoded arguments and treats null as no arguments', () => {
    const twice = JSON.stringify(JSON.stringify({ order_id: '#W1' }));
    expect(resolveCall(registry, 'get_order_details', twice)).toMatchObject({
      ok: true,
      args: { order_id: '#W1' },
      coerced: ['(arguments): double-encoded JSON decoded'],
    });
    expect(resolveCall(registry, 'get_order_details', 'null')).toMatchObject({ ok: false, code: 'invalid_arguments' });
  });

  it('reports a repaired name together with the arguments', () => {
    const r = resolveCall(registry, 'getOrderDetails', '{"order_id":"#W1"}');
    expect(r).toMatchObject({ ok: true, name: 'get_order_details', repairedFrom: 'getOrderDetails' });
  });

  it('returns the unknown-tool error for a name it cannot repair', () => {
    const r = resolveCall(registry, 'refund_everything', '{}');
    expect(r).toMatchObject({ ok: false, code: 'unknown_tool' });
    if (!r.ok) expect(r.error).toMatch(/^Unknown tool refund_everything\./);
  });

  it('rejects invalid JSON and non-object JSON', () => {
    const bad = resolveCall(registry, 'get_order_details', '{"order_id": "#W1"');
    expect(bad).toMatchObject({ ok: false, code: 'invalid_json', name: 'get_order_details' });
    if (!bad.ok) expect(bad.error).toMatch(/not valid JSON/);
    expect(resolveCall(registry, 'get_order_details', '["#W1"]')).toMatchObject({ ok: false, code: 'invalid_json' });
  });

  it('names every missing required parameter', () => {
    const r = resolveCall(registry, 'return_delivered_order_items', { item_ids: ['1'] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe('Invalid arguments for return_delivered_order_items: missing required parameters: order_id, payment_method_id');
  });

  it('drops unknown parameters and reports them', () => {
    const r = resolveCall(registry, 'get_order_details', { order_id: '#W1', verbose: true, user_id: 'u1' });
    expect(r).toMatchObject({ ok: true, args: { order_id: '#W1' }, dropped: ['verbose', 'user_id'] });
  });

  it('applies the safe coercions and reports them', () => {
    const r = resolveCall(registry, 'search_products', { query: 'lamp', limit: '5', in_stock: 'true', categories: 'lighting' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.args).toEqual({ query: 'lamp', limit: 5, in_stock: true, categories: ['lighting'] });
    expect(r.coerced).toEqual(['limit: "5" → 5', 'in_stock: "true" → true', 'categories: "lighting" → ["lighting"]']);
  });

  it('omits null for an optional parameter and applies defaults', () => {
    const r = resolveCall(registry, 'search_products', { query: 'lamp', limit: null });
    expect(r).toMatchObject({ ok: true, args: { query: 'lamp', in_stock: false }, coerced: ['limit: null → omitted'] });
  });

  it('does not coerce what is not safe', () => {
    const r = resolveCall(registry, 'search_products', { query: 'lamp', limit: 'five' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/limit/);
    expect(resolveCall(registry, 'search_products', { query: 'lamp', in_stock: 'yes' }).ok).toBe(false);
    // A number where a string is expected is a real mistake (ids are strings), not coerced.
    expect(resolveCall(registry, 'get_order_details', { order_id: 12 }).ok).toBe(false);
  });

  it('reports constraint violations with their path', () => {
    const r = resolveCall(registry, 'cancel_pending_order', { order_id: '#W1', reason: 'bored' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^Invalid arguments for cancel_pending_order: reason: /);
  });

  it('keeps call references unvalidated and lists their targets', () => {
    const r = resolveCall(registry, 'get_product_details', { product_id: '$call:0.items.0.product_id' });
    expect(r).toMatchObject({ ok: true, args: { product_id: '$call:0.items.0.product_id' }, refs: [0] });
    const s = resolveCall(registry, 'search_products', { query: 'x', limit: { $ref: 1 } });
    expect(s).toMatchObject({ ok: true, args: { query: 'x', limit: { $ref: 1 }, in_stock: false }, refs: [1] });
  });
});

describe('tools with refined parameter objects', () => {
  const refined = new ToolRegistry([
    {
      name: 'transfer',
      description: 'test',
      parameters: z.object({ from: z.string(), to: z.string() }).refine((v) => v.from !== v.to, 'from and to must differ'),
      readOnly: false,
      run: 'shop',
    },
  ]);

  it('runs the refinement', () => {
    expect(resolveCall(refined, 'transfer', { from: 'a', to: 'a' })).toMatchObject({ ok: false, error: 'Invalid arguments for transfer: (arguments): from and to must differ' });
  });

  it('accepts references and leaves the refinement to the executor', () => {
    expect(resolveCall(refined, 'transfer', { from: 'a', to: '$call:0' })).toMatchObject({ ok: true, args: { from: 'a', to: '$call:0' }, refs: [0] });
    const spec = refined.get('transfer');
    if (!spec) throw new Error('fixture missing');
    expect(validateArgs(spec, { from: 'a', to: 'a' }).ok).toBe(false);
  });
});

describe('validateArgs', () => {
  it('validates arguments after references were resolved', () => {
    const spec = registry.get('search_products');
    if (!spec) throw new Error('fixture missing');
    expect(validateArgs(spec, { query: 'x', limit: 3 })).toMatchObject({ ok: true, args: { query: 'x', limit: 3 } });
    expect(validateArgs(spec, { query: 'x', limit: 300 })).toMatchObject({ ok: false, code: 'invalid_arguments' });
  });
});
