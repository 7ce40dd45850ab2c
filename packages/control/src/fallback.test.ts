import { describe, it, expect } from 'vitest';
import { EndReason, TEXTS } from '@steward/core';
import { fallbackFor } from './fallback.ts';

describe('fallbackFor', () => {
  it.each([
    ['deadline', TEXTS.fallbackDeadline],
    ['loop_detected', TEXTS.fallbackLoop],
    ['llm_unavailable', TEXTS.fallbackUnavailable],
    ['handoff', TEXTS.handoffNotice],
    ['max_turns', TEXTS.fallback],
    ['tool_limit', TEXTS.fallback],
    ['token_budget', TEXTS.fallback],
    ['cost_budget', TEXTS.fallback],
    ['error', TEXTS.fallback],
  ] as const)('%s → its text in both languages', (reason, t) => {
    expect(fallbackFor(reason, 'en')).toBe(t.en);
    expect(fallbackFor(reason, 'zh')).toBe(t.zh);
  });

  it('has a text for every end reason, Chinese for Chinese', () => {
    for (const r of EndReason.options) {
      expect(fallbackFor(r, 'zh')).toMatch(/[\u4e00-\u9fff]/);
      expect(fallbackFor(r, 'en')).not.toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
