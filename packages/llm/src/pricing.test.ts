import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costOf, priceFor, loadPricing, DEFAULT_PRICING } from './pricing.ts';

describe('pricing', () => {
  it('has every required model family', () => {
    for (const m of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-5', 'gpt-5-mini', 'o3', 'o4-mini', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1', 'gemini-2.5-pro', 'gemini-2.5-flash', 'deepseek-chat', 'deepseek-reasoner', 'sim-llm-1'])
      expect(priceFor(m, DEFAULT_PRICING), m).toMatchObject({ input: expect.any(Number), output: expect.any(Number) });
  });

  it('prices cached input for every model, never above the input price, at the published ratios', () => {
    for (const [m, p] of Object.entries(DEFAULT_PRICING)) {
      expect(p.cachedInput, m).toBeDefined();
      expect(p.cachedInput!, m).toBeLessThanOrEqual(p.input);
    }
    const ratio = (m: string) => DEFAULT_PRICING[m]!.cachedInput! / DEFAULT_PRICING[m]!.input;
    expect(ratio('gpt-4.1-mini')).toBeCloseTo(0.25, 6);
    expect(ratio('gpt-4o')).toBeCloseTo(0.5, 6);
    expect(ratio('claude-sonnet-4')).toBeCloseTo(0.1, 6);
    expect(ratio('deepseek-chat')).toBeCloseTo(0.1, 6);
    expect(ratio('gemini-2.5-flash')).toBeCloseTo(0.1, 6);
  });

  it('matches dated and routed names by longest prefix', () => {
    expect(priceFor('gpt-4o-mini-2024-07-18', DEFAULT_PRICING)).toBe(DEFAULT_PRICING['gpt-4o-mini']);
    expect(priceFor('gpt-4o-2024-08-06', DEFAULT_PRICING)).toBe(DEFAULT_PRICING['gpt-4o']);
    expect(priceFor('openai/gpt-4.1-mini', DEFAULT_PRICING)).toBe(DEFAULT_PRICING['gpt-4.1-mini']);
    expect(priceFor('claude-opus-4-5-20251101', DEFAULT_PRICING)).toBe(DEFAULT_PRICING['claude-opus-4-5']);
    expect(priceFor('my-local-llama', DEFAULT_PRICING)).toBeUndefined();
  });

  it('computes cost with cached input priced apart', () => {
    // gpt-4o: 2.50 in, 1.25 cached, 10 out per million.
    expect(costOf('gpt-4o', { inputTokens: 1_000_000, outputTokens: 0 }, DEFAULT_PRICING)).toBeCloseTo(2.5, 10);
    expect(costOf('gpt-4o', { inputTokens: 10_000, outputTokens: 1_000, cachedInputTokens: 4_000 }, DEFAULT_PRICING)).toBeCloseTo(
      (6_000 * 2.5 + 4_000 * 1.25 + 1_000 * 10) / 1e6,
      12,
    );
    expect(costOf('sim-llm-1', { inputTokens: 5_000, outputTokens: 500 }, DEFAULT_PRICING)).toBe(0);
    expect(costOf('unknown-model', { inputTokens: 5_000, outputTokens: 500 }, DEFAULT_PRICING)).toBe(0);
    // Cached tokens above the input count are clamped rather than billed negative.
    expect(costOf('gpt-4o', { inputTokens: 100, outputTokens: 0, cachedInputTokens: 500 }, DEFAULT_PRICING)).toBeCloseTo((100 * 1.25) / 1e6, 12);
  });

  it('takes overrides from a file and from env, env last', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pricing-'));
    const file = join(dir, 'prices.json');
    writeFileSync(file, JSON.stringify({ 'gpt-4o': { input: 1, output: 2 }, 'my-llama': { input: 0.1, output: 0.2 } }));
    const t = loadPricing({ LLM_PRICING_FILE: file, LLM_PRICING: JSON.stringify({ 'my-llama': { input: 0.5, output: 0.5 } }) });
    expect(t['gpt-4o']).toEqual({ input: 1, output: 2 });
    expect(t['my-llama']).toEqual({ input: 0.5, output: 0.5 });
    expect(t['gpt-5']).toEqual(DEFAULT_PRICING['gpt-5']);
    // Without cachedInput, cached tokens cost the input price.
    expect(costOf('gpt-4o', { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 1_000_000 }, t)).toBeCloseTo(1, 10);
    expect(() => loadPricing({ LLM_PRICING: '{"x": {"input": -1, "output": 1}}' })).toThrow(/LLM_PRICING is not a pricing table/);
    expect(() => loadPricing({ LLM_PRICING: 'nope' })).toThrow(/LLM_PRICING is not valid JSON/);
  });
});
