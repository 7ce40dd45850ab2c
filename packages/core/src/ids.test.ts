import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stableSpanId } from './ids.ts';

describe('stableSpanId', () => {
  it('is the first 16 hex of the SHA-256 of the parts joined by "|" (ids already stored stay valid)', () => {
    for (const parts of [['q_0000018c2b3a4f5e6d7c8b9a0f', 't1', 'llm'], ['q', ''], ['会话', 't0', 'tool', 'call_0']]) {
      expect(stableSpanId(...parts)).toBe(createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 16));
    }
    expect(stableSpanId('q_0000018c2b3a4f5e6d7c8b9a0f', 't1', 'llm')).toMatch(/^[0-9a-f]{16}$/);
  });
});
