import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { isStewardError } from '@steward/core';
import { ToolRegistry, ToolRegistryError } from './registry.ts';
import type { ToolSpec } from './tool-spec.ts';
import { testSpecs } from './test-specs.ts';

const spec = (name: string, extra: Partial<ToolSpec> = {}): ToolSpec => ({
  name,
  description: name,
  parameters: z.object({}),
  readOnly: true,
  run: 'shop',
  ...extra,
});

describe('ToolRegistry', () => {
  it('looks tools up by name and lists them in registration order', () => {
    const r = new ToolRegistry(testSpecs);
    expect(r.get('get_order_details')?.readOnly).toBe(true);
    expect(r.get('nope')).toBeUndefined();
    expect(r.list().map((s) => s.name)).toEqual(testSpecs.map((s) => s.name));
  });

  it('rejects duplicate names', () => {
    expect(() => new ToolRegistry([spec('a'), spec('a')])).toThrow(/Duplicate tool name: a/);
  });

  it('rejects an unknown name in dependsOn', () => {
    expect(() => new ToolRegistry([spec('a', { dependsOn: ['ghost'] })])).toThrow(/a depends on unknown tool ghost/);
  });

  it('rejects a dependency cycle and names it', () => {
    const specs = [spec('a', { dependsOn: ['b'] }), spec('b', { dependsOn: ['c'] }), spec('c', { dependsOn: ['a'] }), spec('d')];
    let err: unknown;
    try {
      new ToolRegistry(specs);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ToolRegistryError);
    expect(isStewardError(err) && err.retryable).toBe(false);
    expect((err as Error).message).toContain('a -> b -> c -> a');
  });

  it('rejects a tool depending on itself', () => {
    expect(() => new ToolRegistry([spec('a', { dependsOn: ['a'] })])).toThrow(/a -> a/);
  });

  it('accepts a diamond of dependencies (not a cycle)', () => {
    const r = new ToolRegistry([spec('a'), spec('b', { dependsOn: ['a'] }), spec('c', { dependsOn: ['a'] }), spec('d', { dependsOn: ['b', 'c'] })]);
    expect(r.names()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('rejects a cache TTL on a tool that writes', () => {
    expect(() => new ToolRegistry([spec('w', { readOnly: false, cacheTtlSec: 5 })])).toThrow(/w has cacheTtlSec but is not read-only/);
  });

  it('emits provider-clean function tools', () => {
    const tools = new ToolRegistry(testSpecs).toOpenAiTools();
    expect(tools).toHaveLength(testSpecs.length);
    const search = tools.find((t) => t.function.name === 'search_products');
    expect(search?.type).toBe('function');
    const params = search?.function.parameters ?? {};
    expect(params).not.toHaveProperty('$schema');
    expect(params.additionalProperties).toBe(false);
    expect(params.type).toBe('object');
    // A field with a default is optional for the model.
    expect(params.required).toEqual(['query']);
    expect(params.properties).toMatchObject({ limit: { type: 'integer', minimum: 1, maximum: 50 }, categories: { type: 'array', items: { type: 'string' } } });
    const order = tools.find((t) => t.function.name === 'get_order_details')?.function.parameters;
    expect(order).toEqual({
      type: 'object',
      properties: { order_id: { type: 'string', description: 'Order id, e.g. #W0000000' } },
      required: ['order_id'],
      additionalProperties: false,
    });
  });

  it('drops zod safe-integer bounds and closes nested objects', () => {
    const r = new ToolRegistry([spec('n', { parameters: z.object({ qty: z.number().int(), addr: z.object({ city: z.string() }).optional() }) })]);
    const p = r.toOpenAiTools()[0]?.function.parameters as { properties: Record<string, Record<string, unknown>> };
    expect(p.properties.qty).toEqual({ type: 'integer' });
    expect(p.properties.addr?.additionalProperties).toBe(false);
  });
});
