import { describe, expect, it } from 'vitest';
import { PyFloat, parsePy, pyAdd, pyDumps, pyFloatRepr, pyRound2, pyRoundNum, reformatJsonText, splitTopLevel } from './py-json.ts';

describe('Python number forms', () => {
  it('repr of floats', () => {
    expect(pyFloatRepr(4)).toBe('4.0');
    expect(pyFloatRepr(12.5)).toBe('12.5');
    expect(pyFloatRepr(-0)).toBe('-0.0');
    expect(pyFloatRepr(1e16)).toBe('1e+16');
    expect(pyFloatRepr(1.5e-5)).toBe('1.5e-05');
    expect(pyFloatRepr(0.0001)).toBe('0.0001');
    expect(pyFloatRepr(123456789012345.6)).toBe('123456789012345.6');
  });

  it('round(x, 2) rounds the exact binary value, ties to even', () => {
    expect(pyRound2(2.675)).toBe(2.67);
    expect(pyRound2(0.125)).toBe(0.12);
    expect(pyRound2(0.375)).toBe(0.38);
    expect(pyRound2(-0.125)).toBe(-0.12);
    expect(pyRound2(1.005)).toBe(1);
    expect(pyRound2(150.99000000000001)).toBe(150.99);
  });

  it('int and float kinds follow Python arithmetic', () => {
    expect(pyDumps(pyRoundNum(pyAdd(100, new PyFloat(10))))).toBe('110.0');
    expect(pyDumps(pyRoundNum(pyAdd(100, 5)))).toBe('105');
    expect(pyDumps(pyRoundNum(0))).toBe('0');
  });
});

describe('json.dumps form', () => {
  it('separators, ensure_ascii and integral floats', () => {
    expect(pyDumps({ a: [1, new PyFloat(2)], b: 'é"\n', c: null, d: true })).toBe('{"a": [1, 2.0], "b": "\\u00e9\\"\\n", "c": null, "d": true}');
    expect(pyDumps({ a: 1 }, true)).toBe('{"a":1}');
  });

  it('parsePy keeps 247.0 as a float', () => {
    const v = parsePy<{ p: unknown; q: unknown }>('{"p": 247.0, "q": 247}');
    expect(v.p).toBeInstanceOf(PyFloat);
    expect(v.q).toBe(247);
    expect(pyDumps(v)).toBe('{"p": 247.0, "q": 247}');
  });

  it('reformats text in source key order, even numeric keys', () => {
    expect(reformatJsonText('{ "9": 1.50,"1" :[true,false,null], "x":"中"}')).toBe('{"9": 1.5, "1": [true, false, null], "x": "\\u4e2d"}');
    expect(splitTopLevel('{"b": {"x": [1, "}"]}, "a": 2}')).toEqual([
      ['b', '{"x": [1, "}"]}'],
      ['a', '2'],
    ]);
  });
});
