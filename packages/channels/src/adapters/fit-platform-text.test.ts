import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_SKEW_SEC, fitPlatformText, tooOld } from './fit-platform-text.ts';

describe('fitPlatformText', () => {
  it('leaves a text within the limit as it is', () => {
    expect(fitPlatformText('hello', 10)).toEqual({ text: 'hello', truncated: false });
  });

  it('cuts a longer text to the limit, note included, and says how long it was', () => {
    const r = fitPlatformText('x'.repeat(4_096), 4_000);
    expect(r.truncated).toBe(true);
    expect(r.text.length).toBeLessThanOrEqual(4_000);
    expect(r.text).toMatch(/had 4096 characters; only the first \d+ are shown/);
  });

  it('never splits a surrogate pair and drops NUL and lone surrogates', () => {
    for (let n = 200; n < 260; n++) {
      const r = fitPlatformText('😀'.repeat(n), 200);
      expect(r.text.isWellFormed()).toBe(true);
      expect(r.text.length).toBeLessThanOrEqual(200);
    }
    expect(fitPlatformText('a\u0000b\ud800', 10).text).toBe('ab\ufffd');
  });
});

describe('tooOld', () => {
  it('accepts a message within the age and a small clock skew, refuses older or far-future ones', () => {
    expect(tooOld(undefined, 1_000_000, 60)).toBe(false);
    expect(tooOld(1_000_000 - 60, 1_000_000, 60)).toBe(false);
    expect(tooOld(1_000_000 - 61, 1_000_000, 60)).toBe(true);
    expect(tooOld(1_000_000 + MAX_CLOCK_SKEW_SEC, 1_000_000, 60)).toBe(false);
    expect(tooOld(1_000_000 + MAX_CLOCK_SKEW_SEC + 1, 1_000_000, 60)).toBe(true);
  });
});
