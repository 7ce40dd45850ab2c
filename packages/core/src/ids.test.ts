import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newId, newQueryId, newSpanId, newTraceId, randomHex, stableSpanId } from './ids.ts';

describe('stableSpanId', () => {
  it('is the first 16 hex of the SHA-256 of the parts joined by "|" (ids already stored stay valid)', () => {
    for (const parts of [['q_0000018c2b3a4f5e6d7c8b9a0f', 't1', 'llm'], ['q', ''], ['会话', 't0', 'tool', 'call_0']]) {
      expect(stableSpanId(...parts)).toBe(createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 16));
    }
    expect(stableSpanId('q_0000018c2b3a4f5e6d7c8b9a0f', 't1', 'llm')).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('ids from the random pool', () => {
  it('have their formats and do not repeat across several refills of the pool', () => {
    const seen = new Set<string>();
    // 3,000 trace ids are 48 KB of random bytes: the 4 KiB pool is refilled a dozen times.
    for (let i = 0; i < 3_000; i++) {
      const t = newTraceId();
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      seen.add(t);
    }
    expect(seen.size).toBe(3_000);
    expect(newSpanId()).toMatch(/^[0-9a-f]{16}$/);
    expect(newQueryId()).toMatch(/^q_[0-9a-f]{22}$/);
    expect(newId('c')).toMatch(/^c_[0-9a-f]{22}$/);
  });

  it('hand out every byte once: draws that straddle the end of the pool are whole and fresh', () => {
    const draws = Array.from({ length: 2_000 }, (_, i) => randomHex(1 + (i % 13)));
    for (const [i, d] of draws.entries()) expect(d).toHaveLength(2 * (1 + (i % 13)));
    // Long draws repeating would mean the pool was read twice without a refill.
    const long = draws.filter((d) => d.length >= 16);
    expect(new Set(long).size).toBe(long.length);
  });
});
