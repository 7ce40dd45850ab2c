import { describe, it, expect } from 'vitest';
import { ToolRegistry } from './registry.ts';
import { planTurn, isSequential, type TurnPlan, type PlannedCallInput } from './plan-turn.ts';
import { testSpecs } from './test-specs.ts';

const registry = new ToolRegistry(testSpecs);

function plan(calls: PlannedCallInput[]): TurnPlan {
  const r = planTurn(registry, calls);
  if (!r.ok) throw new Error(r.error);
  return r.plan;
}

const call = (name: string, args: Record<string, unknown> = {}): PlannedCallInput => ({ name, arguments: args });

describe('planTurn', () => {
  it('gives independent calls no edges: they all start at once', () => {
    const p = plan([call('get_order_details', { order_id: '#W1' }), call('get_order_details', { order_id: '#W2' }), call('get_user_details', { user_id: 'u' })]);
    expect(p.edges).toEqual([]);
    expect(p.roots).toEqual([0, 1, 2]);
    expect(p.calls.every((c) => c.dependsOn.length === 0 && c.dependents.length === 0)).toBe(true);
    expect(p.criticalPath([100, 300, 200])).toEqual({ path: [1], totalMs: 300 });
  });

  it('orders a call after the calls of the tools it declares in dependsOn', () => {
    // The return is proposed first, but must wait for both order lookups.
    const p = plan([call('return_delivered_order_items'), call('get_order_details'), call('get_product_details'), call('get_order_details')]);
    expect(p.calls[0]?.dependsOn).toEqual([1, 3]);
    expect(p.calls[1]?.dependents).toEqual([0]);
    expect(p.calls[2]?.dependsOn).toEqual([]);
    expect(p.roots).toEqual([1, 2, 3]);
    expect(p.topologicalOrder).toEqual([1, 2, 3, 0]);
    expect(p.edges.every((e) => e.reason === 'declared')).toBe(true);
  });

  it('adds an edge for each explicit reference', () => {
    const p = plan([
      call('find_user_id_by_email', { email: 'a@example.com' }),
      call('get_user_details', { user_id: '$call:0' }),
      call('get_order_details', { order_id: { $ref: 1, path: 'orders.0' } }),
    ]);
    expect(p.edges).toEqual([
      { from: 0, to: 1, reason: 'ref' },
      { from: 1, to: 2, reason: 'ref' },
    ]);
    expect(p.roots).toEqual([0]);
    expect(p.topologicalOrder).toEqual([0, 1, 2]);
    expect(p.criticalPath([50, 20, 30])).toEqual({ path: [0, 1, 2], totalMs: 100 });
  });

  it('finds the critical path through the slowest branch', () => {
    const p = plan([call('get_order_details'), call('get_product_details'), call('get_product_details', { product_id: '$call:1' }), call('cancel_pending_order')]);
    // 0 → 3 (declared), 1 → 2 (ref)
    expect(p.criticalPath([100, 80, 80, 10])).toEqual({ path: [1, 2], totalMs: 160 });
    expect(p.criticalPath((i, name) => (name === 'cancel_pending_order' ? 500 : 1 + i))).toEqual({ path: [0, 3], totalMs: 501 });
  });

  it('chains sequential calls (writes) in proposal order', () => {
    const p = plan([call('cancel_pending_order'), call('get_user_details'), call('return_delivered_order_items')]);
    expect(p.edges).toEqual([{ from: 0, to: 2, reason: 'sequential' }]);
    const free = planTurn(registry, [call('cancel_pending_order'), call('return_delivered_order_items')], { serializeSequential: false });
    expect(free.ok && free.plan.edges).toEqual([]);
  });

  it('rejects a cycle made of explicit references and names it', () => {
    const r = planTurn(registry, [call('get_user_details', { user_id: '$call:1' }), call('get_order_details', { order_id: '$call:0' }), call('get_product_details')]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.cycle).toEqual([0, 1, 0]);
    expect(r.error).toMatch(/cycle: 0:get_user_details -> 1:get_order_details -> 0:get_user_details/);
  });

  it('rejects a cycle between a reference and a declared dependency', () => {
    // 0 (lookup) → 1 (cancel) by declaration, and the lookup references the cancel.
    const r = planTurn(registry, [call('get_order_details', { order_id: '$call:1' }), call('cancel_pending_order')]);
    expect(r).toMatchObject({ ok: false, cycle: [0, 1, 0] });
  });

  it('rejects self references, references past the turn and unknown tools', () => {
    expect(planTurn(registry, [call('get_user_details', { user_id: '$call:0' })])).toMatchObject({ ok: false });
    expect(planTurn(registry, [call('get_user_details', { user_id: '$call:4' })])).toMatchObject({ ok: false });
    expect(planTurn(registry, [call('nope')])).toMatchObject({ ok: false, error: 'call 0: unknown tool nope' });
  });

  it('orders the write chain by references, not only by position', () => {
    // The cancel (0) uses the result of the return (1): the chain must be 1 → 0, not 0 → 1.
    const p = plan([call('cancel_pending_order', { order_id: '$call:1.order_id' }), call('return_delivered_order_items')]);
    expect(p.edges).toEqual([{ from: 1, to: 0, reason: 'ref' }]);
    expect(p.topologicalOrder).toEqual([1, 0]);
  });

  it('plans calls that arrived with an error as skipped, keeping the indexes', () => {
    const p = plan([
      { name: 'get_ordr', arguments: {}, error: 'Unknown tool get_ordr.' },
      call('get_user_details', { user_id: '$call:0' }),
      call('get_product_details', { product_id: '$call:1' }),
      call('get_order_details', { order_id: '#W1' }),
      call('cancel_pending_order', { order_id: '#W1' }),
    ]);
    expect(p.calls.map((c) => c.skip !== undefined)).toEqual([true, true, true, false, false]);
    expect(p.calls[0]?.skip).toBe('Unknown tool get_ordr.');
    expect(p.calls[2]?.skip).toMatch(/needs the result of call 1 \(get_user_details\)/);
    // Skipped calls have no edges; the declared dependency of the cancel on the lookup stays.
    expect(p.edges).toEqual([{ from: 3, to: 4, reason: 'declared' }]);
    expect(p.roots).toEqual([3]);
  });

  it('does not make a call wait, by declaration, for a call in error', () => {
    const p = plan([{ name: 'get_order_details', arguments: {}, error: 'missing order_id' }, call('cancel_pending_order', { order_id: '#W1' })]);
    expect(p.edges).toEqual([]);
    expect(p.roots).toEqual([1]);
  });

  it('plans an empty turn', () => {
    const p = plan([]);
    expect(p.roots).toEqual([]);
    expect(p.criticalPath([])).toEqual({ path: [], totalMs: 0 });
  });
});

describe('isSequential', () => {
  it('treats writes as sequential unless they opt out', () => {
    expect(isSequential(registry.get('cancel_pending_order') ?? testSpecs[0]!)).toBe(true);
    expect(isSequential(registry.get('get_order_details') ?? testSpecs[0]!)).toBe(false);
    expect(isSequential(registry.get('transfer_to_human_agents') ?? testSpecs[0]!)).toBe(false);
  });
});
