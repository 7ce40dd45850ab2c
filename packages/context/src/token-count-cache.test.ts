import { describe, it, expect } from 'vitest';
import { encode } from './encode.ts';
import { countTokens, tokenCountCache } from './count-tokens.ts';
import { paragraphs, TokenCountCache, TEXT_KEY_MAX_CHARS } from './token-count-cache.ts';

/** A system prompt's shape: paragraphs of rules separated by blank lines, well over 512 characters. */
const POLICY_LIKE = Array.from({ length: 12 }, (_, i) => `Rule ${i + 1}: check the order's status before any change; ask before writing.\n- never guess ids`).join('\n\n');

/** Pieces that stress the cut rule: newlines next to punctuation, slashes, spaces, CJK, digits. */
const PARTS = ['\n', '\n\n', '\n\n\n', ' ', '  ', '/', '.', ':', '-', '"', "'s", 'abc', 'Order', '#W123', '42', '订单', '，', '\t', '\r\n', '{"a":1}', '🦊', 'é'];

function randomText(seed: number): string {
  let a = seed >>> 0;
  const r = () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
  return Array.from({ length: 20 + Math.floor(r() * 200) }, () => PARTS[Math.floor(r() * PARTS.length)]).join('');
}

describe('paragraphs', () => {
  it('cuts only where the counts of the parts add up to the count of the whole, both encodings', () => {
    let cuts = 0;
    for (const model of ['gpt-4o', 'gpt-4']) {
      for (let seed = 1; seed <= 300; seed++) {
        const text = randomText(seed);
        const parts = paragraphs(text);
        expect(parts.join(''), `seed ${seed}`).toBe(text);
        cuts += parts.length - 1;
        const sum = parts.reduce((n, p) => n + encode(p, model).length, 0);
        expect(sum, `${model} seed ${seed}: ${JSON.stringify(parts)}`).toBe(encode(text, model).length);
      }
    }
    // The property is only worth something if texts were actually cut.
    expect(cuts).toBeGreaterThan(300);
  });

  it('cuts a system prompt with sections at its blank lines', () => {
    expect(paragraphs('Rules:\n- a\n- b\n\nMemory:\n/x\n\n  indented\n\nEnd')).toEqual(['Rules:\n- a\n- b\n\n', 'Memory:\n/x\n\n  indented\n\n', 'End']);
  });
});

describe('TokenCountCache', () => {
  it('computes each text once and evicts the least recently used first', () => {
    const c = new TokenCountCache(2);
    const computed: string[] = [];
    const len = (t: string) => (computed.push(t), t.length);
    expect(c.count('e', 'aa', len)).toBe(2);
    expect(c.count('e', 'bbb', len)).toBe(3);
    expect(c.count('e', 'aa', len)).toBe(2); // hit; 'aa' is now the most recent
    expect(c.count('e', 'cccc', len)).toBe(4); // evicts 'bbb'
    expect(c.count('e', 'aa', len)).toBe(2);
    expect(c.count('e', 'bbb', len)).toBe(3); // computed again
    expect(computed).toEqual(['aa', 'bbb', 'cccc', 'bbb']);
    expect(c.size).toBe(2);
    expect([c.hits, c.misses]).toEqual([2, 4]);
  });

  it('keys long texts by content and namespaces by encoding', () => {
    const c = new TokenCountCache(10);
    const long = 'x'.repeat(TEXT_KEY_MAX_CHARS + 1);
    let calls = 0;
    const f = (t: string) => (calls++, t.length);
    c.count('o200k_base', long, f);
    c.count('o200k_base', `${'x'.repeat(TEXT_KEY_MAX_CHARS)}x`, f); // equal content, another string
    c.count('cl100k_base', long, f);
    c.count('o200k_base', `${long}y`, f);
    expect(calls).toBe(3);
  });
});

describe('TokenCountCache bounds', () => {
  it('keeps at most maxChars characters of text, evicting the least recently used first', () => {
    const c = new TokenCountCache(100, 10);
    let calls = 0;
    const f = (t: string) => (calls++, t.length);
    c.count('e', 'aaaa', f);
    c.count('e', 'bbbb', f);
    c.count('e', 'aaaa', f); // hit: 'bbbb' is now the oldest
    c.count('e', 'cccc', f); // 12 characters: 'bbbb' goes
    expect(c.keptChars).toBe(8);
    expect(c.size).toBe(2);
    c.count('e', 'aaaa', f);
    c.count('e', 'bbbb', f);
    expect(calls).toBe(4);
  });

  it('keys a text longer than TEXT_KEY_MAX_CHARS by its hash: it is not kept, and equal content still hits', () => {
    const c = new TokenCountCache(10);
    const long = 'y'.repeat(TEXT_KEY_MAX_CHARS * 2);
    let calls = 0;
    const f = (t: string) => (calls++, t.length);
    expect(c.count('e', long, f)).toBe(long.length);
    expect(c.count('e', `${'y'.repeat(TEXT_KEY_MAX_CHARS)}${'y'.repeat(TEXT_KEY_MAX_CHARS)}`, f)).toBe(long.length);
    expect(calls).toBe(1);
    expect(c.keptChars).toBeLessThan(64);
  });
});

describe('countTokens through the cache', () => {
  it('counts a long text exactly, and a changed section again without recounting the others', () => {
    const model = 'gpt-4o';
    const before = `${POLICY_LIKE}\n\nMemory:\norder #W1 delivered`;
    const after = `${POLICY_LIKE}\n\nMemory:\norder #W1 returned, refund 12.50`;
    expect(countTokens(before, model)).toBe(encode(before, model).length);
    const misses = tokenCountCache().misses;
    expect(countTokens(after, model)).toBe(encode(after, model).length);
    // Only the changed paragraph was counted.
    expect(tokenCountCache().misses - misses).toBe(1);
  });

  it('finds a long text counted before whole, without splitting it again', () => {
    const model = 'gpt-4o';
    const text = `${POLICY_LIKE}\n\nRequests:\n- return the blue kettle`;
    const n = countTokens(text, model);
    const hits = tokenCountCache().hits;
    const misses = tokenCountCache().misses;
    // Another string with the same content: one lookup.
    expect(countTokens(`${POLICY_LIKE}\n\nRequests:\n- return the blue ${'kettle'}`, model)).toBe(n);
    expect([tokenCountCache().hits - hits, tokenCountCache().misses - misses]).toEqual([1, 0]);
  });
});
