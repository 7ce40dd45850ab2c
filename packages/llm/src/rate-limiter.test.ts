import { describe, it, expect, inject, beforeAll, afterAll } from 'vitest';
import { Redis } from 'ioredis';
import { uniquePrefix, deletePrefix } from '@steward/testing';
import { acquireLlmSlot, llmSlotKey } from './rate-limiter.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('rpm');
let a: Redis;
let b: Redis;
beforeAll(() => {
  a = new Redis(url);
  b = new Redis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  a.disconnect();
  b.disconnect();
});

describe('acquireLlmSlot', () => {
  it('lets the burst through, then refuses with the wait until the next slot, across connections', async () => {
    const key = llmSlotKey(prefix, 'gpt-4o');
    // 1 per minute, burst 3: no new slot can open during this test.
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await acquireLlmSlot(i % 2 ? b : a, key, 1, { burst: 3 }));
    expect(results.slice(0, 3)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    for (const r of results.slice(3)) {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.retryAfterMs).toBeGreaterThan(0);
        expect(r.retryAfterMs).toBeLessThanOrEqual(60_000);
      }
    }
  });

  it('never grants more than the burst to concurrent callers', async () => {
    const key = llmSlotKey(prefix, 'concurrent');
    // 1 per minute, burst 5: exactly 5 of 40 simultaneous callers get a slot.
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => acquireLlmSlot(i % 2 ? a : b, key, 1, { burst: 5 })));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
  });

  it('treats rpm <= 0 as unlimited', async () => {
    expect(await acquireLlmSlot(a, llmSlotKey(prefix, 'none'), 0)).toEqual({ ok: true });
  });
});
