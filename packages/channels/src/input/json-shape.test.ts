import { describe, expect, it } from 'vitest';
import { checkJsonShape } from './json-shape.ts';

const b = (s: string) => Buffer.from(s);

describe('checkJsonShape', () => {
  it('accepts ordinary payloads', () => {
    expect(checkJsonShape(b('{"a":[1,2,{"b":"c"}]}'), 3, 10)).toEqual({ ok: true });
  });
  it('refuses nesting deeper than the limit', () => {
    expect(checkJsonShape(b('[[[[1]]]]'), 3, 10)).toMatchObject({ ok: false, code: 'json_too_deep' });
    expect(checkJsonShape(b('['.repeat(100_000)), 16, 10)).toMatchObject({ ok: false, code: 'json_too_deep' });
  });
  it('refuses too many keys or elements', () => {
    expect(checkJsonShape(b(`[${'1,'.repeat(20)}1]`), 3, 10)).toMatchObject({ ok: false, code: 'too_many_fields' });
    expect(checkJsonShape(b(JSON.stringify(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, i])))), 3, 10)).toMatchObject({
      ok: false,
      code: 'too_many_fields',
    });
  });
  it('ignores brackets, colons and escaped quotes inside strings', () => {
    expect(checkJsonShape(b(JSON.stringify({ t: '[[[[[{{{{:::,,,\\"[[[' })), 1, 2)).toEqual({ ok: true });
  });
});
