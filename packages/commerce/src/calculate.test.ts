// Expected values are what Python 3.11 answers for str(round(float(eval(e)), 2)).
import { describe, expect, it } from 'vitest';
import { calculate } from './calculate.ts';

describe('calculate', () => {
  it.each([
    ['2+2', '4.0'],
    ['7/2', '3.5'],
    ['0.1+0.2', '0.3'],
    ['1/3', '0.33'],
    ['2.675', '2.67'],
    ['10**20', '1e+20'],
    ['2**-1', '0.5'],
    ['-2**2', '-4.0'],
    ['-9//2', '-5.0'],
    ['7.5//2', '3.0'],
    ['-0.001', '-0.0'],
    ['536.65-47.84*2', '440.97'],
    ['( 47.84 + 488.81 ) * 1', '536.65'],
  ])('%s → %s', (e, want) => {
    expect(calculate(e)).toBe(want);
  });

  it.each([
    ['1/0', 'Error: division by zero'],
    ['1.0/0', 'Error: float division by zero'],
    ['1//0', 'Error: integer division or modulo by zero'],
    ['5 5', 'Error: invalid syntax (<string>, line 1)'],
    ['', 'Error: invalid syntax (<string>, line 0)'],
    ['(1+2', "Error: '(' was never closed (<string>, line 1)"],
    ['2 ** x', 'Error: invalid characters in expression'],
    ['__import__("os")', 'Error: invalid characters in expression'],
  ])('%s → %s', (e, want) => {
    expect(calculate(e)).toBe(want);
  });
});
