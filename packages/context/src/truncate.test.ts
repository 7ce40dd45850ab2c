import { describe, it, expect } from 'vitest';
import { truncateHeadTail } from './truncate.ts';
import { countTokens } from './count-tokens.ts';

describe('truncateHeadTail', () => {
  it('returns short text unchanged', () => {
    expect(truncateHeadTail('short text', 100, 'gpt-4o')).toEqual({ text: 'short text', truncated: false, tokens: 2 });
  });

  it('keeps the beginning and the end and marks the cut', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i} of the record`);
    const text = lines.join('\n');
    const r = truncateHeadTail(text, 120, 'gpt-4o');
    expect(r.truncated).toBe(true);
    expect(r.tokens).toBeLessThanOrEqual(120);
    expect(countTokens(r.text, 'gpt-4o')).toBe(r.tokens);
    expect(r.text.startsWith('line 0 of the record')).toBe(true);
    expect(r.text.endsWith('line 399 of the record')).toBe(true);
    expect(r.text).toMatch(/…\[\d+ characters omitted\]…/);
    expect(r.text).not.toContain('line 200 of');
  });

  it('fits Chinese text and leaves no broken characters', () => {
    const zh = '我的订单还没有到，请帮我查一下物流信息。'.repeat(200);
    for (const max of [10, 25, 50, 333]) {
      const r = truncateHeadTail(zh, max, 'gpt-4o');
      expect(r.tokens).toBeLessThanOrEqual(max);
      expect(countTokens(r.text, 'gpt-4o')).toBeLessThanOrEqual(max);
      expect(r.text).not.toContain('\uFFFD');
    }
  });

  it('cuts without a marker when even the marker does not fit', () => {
    const r = truncateHeadTail('alpha beta gamma delta '.repeat(50), 3, 'gpt-4o');
    expect(r.tokens).toBeLessThanOrEqual(3);
    expect(r.text.startsWith('alpha')).toBe(true);
    expect(truncateHeadTail('anything', 0, 'gpt-4o').text).toBe('');
  });
});
