import { describe, it, expect } from 'vitest';
import { collectRefs, parseRef, resolveRefs, CallRefError } from './call-refs.ts';

describe('call references', () => {
  it('parses both spellings, with and without a path', () => {
    expect(parseRef('$call:2')).toEqual({ index: 2, path: [] });
    expect(parseRef('$call:0.items.1.id')).toEqual({ index: 0, path: ['items', '1', 'id'] });
    expect(parseRef({ $ref: 1 })).toEqual({ index: 1, path: [] });
    expect(parseRef({ $ref: 1, path: 'user_id' })).toEqual({ index: 1, path: ['user_id'] });
  });

  it('ignores ordinary values that only look similar', () => {
    expect(parseRef('$call:')).toBeNull();
    expect(parseRef('see $call:1')).toBeNull();
    expect(parseRef({ $ref: 'x' })).toBeNull();
    expect(parseRef({ $ref: 1, other: 2 })).toBeNull();
    expect(parseRef('#W1')).toBeNull();
  });

  it('collects references at any depth', () => {
    expect(collectRefs({ a: '$call:0', b: [{ c: { $ref: 2 } }], d: 'x' }).map((r) => r.index)).toEqual([0, 2]);
  });

  it('substitutes results, parsing JSON results to follow a path', () => {
    const results = ['{"user_id":"u1","orders":["#W1","#W2"]}', 'plain text'];
    expect(
      resolveRefs({ user: '$call:0.user_id', second: { $ref: 0, path: 'orders.1' }, note: '$call:1', keep: 3 }, results),
    ).toEqual({ user: 'u1', second: '#W2', note: 'plain text', keep: 3 });
    expect(resolveRefs({ whole: '$call:0' }, results)).toEqual({ whole: { user_id: 'u1', orders: ['#W1', '#W2'] } });
  });

  it('throws a non-retryable error for a missing result or path', () => {
    expect(() => resolveRefs({ a: '$call:3' }, ['x'])).toThrow(CallRefError);
    expect(() => resolveRefs({ a: '$call:0.nope' }, ['{"a":1}'])).toThrow(/no value at "nope"/);
    expect(() => resolveRefs({ a: '$call:0.x' }, ['not json'])).toThrow(/not JSON/);
  });
});
