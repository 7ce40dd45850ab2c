import { describe, it, expect } from 'vitest';
import { providerOf } from './provider.ts';

describe('providerOf', () => {
  it('names the provider by endpoint or model family', () => {
    expect(providerOf('gpt-4o', 'https://api.openai.com/v1')).toBe('openai');
    expect(providerOf('o4-mini')).toBe('openai');
    expect(providerOf('deepseek-chat', 'https://api.deepseek.com')).toBe('deepseek');
    expect(providerOf('claude-sonnet-4-5')).toBe('anthropic');
    expect(providerOf('gemini-2.5-flash', 'https://generativelanguage.googleapis.com/v1beta/openai')).toBe('gcp.gemini');
    expect(providerOf('sim-llm-1', 'http://127.0.0.1:3200/v1')).toBe('steward.sim_llm');
    expect(providerOf('llama-3.1-8b', 'http://127.0.0.1:8000/v1')).toBe('openai_compatible');
  });
});
