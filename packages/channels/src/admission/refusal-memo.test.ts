import { describe, expect, it } from 'vitest';
import { RefusalMemo } from './refusal-memo.ts';

/** A memo on a clock the test moves. */
const memoAt = (max: number) => {
  const clock = { t: 1_000 };
  const memo = new RefusalMemo(max);
  memo.now = () => clock.t;
  return { memo, clock };
};

describe('RefusalMemo', () => {
  it('refuses a set for the wait counted from when it was asked, less the 1 ms of rounding', () => {
    const { memo, clock } = memoAt(10);
    memo.refuse('a', 1_000, 500);
    clock.t = 1_200;
    expect(memo.refusedFor('a')).toBe(299);
    expect(memo.refusedFor('b')).toBe(0);
    clock.t = 1_499;
    expect(memo.refusedFor('a')).toBe(0);
    expect(memo.size).toBe(0);
  });

  it('ignores a refusal whose wait was over by the time it was heard', () => {
    const { memo, clock } = memoAt(10);
    clock.t = 2_000;
    memo.refuse('a', 1_000, 800);
    expect(memo.refusedFor('a')).toBe(0);
    expect(memo.size).toBe(0);
  });

  it('stays bounded: expired entries make room, live ones are never evicted for new ones', () => {
    const { memo, clock } = memoAt(2);
    memo.refuse('a', 1_000, 100);
    memo.refuse('b', 1_000, 10_000);
    memo.refuse('c', 1_000, 10_000);
    expect(memo.size).toBe(2);
    expect(memo.refusedFor('c')).toBe(0);
    clock.t = 1_200;
    memo.refuse('c', 1_200, 10_000);
    expect(memo.refusedFor('a')).toBe(0);
    expect(memo.refusedFor('b')).toBeGreaterThan(0);
    expect(memo.refusedFor('c')).toBeGreaterThan(0);
  });
});
