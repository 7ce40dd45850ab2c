import { describe, it, expect } from 'vitest';
import { DEFAULTS } from '@steward/core';
import { checkLimits, remainingMs, type QueryUsage } from './limits.ts';

const ok: QueryUsage = { turn: 2, startedMs: 1_000, nowMs: 5_000, toolCalls: 3, tokens: 2_000, costUsd: 0.01 };
const limits = { maxTurns: 8, deadlineMs: 30_000, maxToolCalls: 24, maxTokens: 50_000, maxCostUsd: 0.5 };

describe('checkLimits', () => {
  it('returns null inside every limit', () => {
    expect(checkLimits(ok, limits)).toBeNull();
  });

  it('trips max_turns when the next turn would be one too many', () => {
    expect(checkLimits({ ...ok, turn: 7 }, limits)).toBeNull();
    expect(checkLimits({ ...ok, turn: 8 }, limits)).toBe('max_turns');
  });

  it('trips the deadline when it is reached', () => {
    expect(checkLimits({ ...ok, nowMs: 30_999 }, limits)).toBeNull();
    expect(checkLimits({ ...ok, nowMs: 31_000 }, limits)).toBe('deadline');
  });

  it('trips tool_limit, token_budget and cost_budget when exceeded', () => {
    expect(checkLimits({ ...ok, toolCalls: 24 }, limits)).toBeNull();
    expect(checkLimits({ ...ok, toolCalls: 25 }, limits)).toBe('tool_limit');
    expect(checkLimits({ ...ok, tokens: 50_001 }, limits)).toBe('token_budget');
    expect(checkLimits({ ...ok, costUsd: 0.51 }, limits)).toBe('cost_budget');
  });

  it('reports the first tripped limit in a fixed order', () => {
    const all: QueryUsage = { turn: 9, startedMs: 0, nowMs: 60_000, toolCalls: 99, tokens: 1e9, costUsd: 9 };
    expect(checkLimits(all, limits)).toBe('max_turns');
    expect(checkLimits({ ...all, turn: 0 }, limits)).toBe('deadline');
    expect(checkLimits({ ...all, turn: 0, nowMs: 0 }, limits)).toBe('tool_limit');
    expect(checkLimits({ ...all, turn: 0, nowMs: 0, toolCalls: 0 }, limits)).toBe('token_budget');
    expect(checkLimits({ ...all, turn: 0, nowMs: 0, toolCalls: 0, tokens: 0 }, limits)).toBe('cost_budget');
  });

  it('uses the defaults of core and has no token or cost budget unless given', () => {
    expect(checkLimits({ ...ok, turn: DEFAULTS.maxTurns })).toBe('max_turns');
    expect(checkLimits({ ...ok, toolCalls: DEFAULTS.maxToolCallsPerQuery + 1 })).toBe('tool_limit');
    expect(checkLimits({ ...ok, tokens: 1e12, costUsd: 1e6 })).toBeNull();
  });
});

describe('remainingMs', () => {
  it('counts down to zero', () => {
    expect(remainingMs({ startedMs: 0, nowMs: 10_000 }, { deadlineMs: 30_000 })).toBe(20_000);
    expect(remainingMs({ startedMs: 0, nowMs: 40_000 }, { deadlineMs: 30_000 })).toBe(0);
  });
});
