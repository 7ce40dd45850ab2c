import { describe, it, expect } from 'vitest';
import { interpolateDefaults, localEnv, rewriteHosts } from './compose-env.ts';

describe('compose environment → local process environment', () => {
  it('resolves compose interpolation from defaults only', () => {
    expect(interpolateDefaults('${LLM_RPM:-600}')).toBe('600');
    expect(interpolateDefaults('${SHOP_DATA-/data/taubench}')).toBe('/data/taubench');
    expect(interpolateDefaults('${SLACK_SIGNING_SECRET:-}')).toBe('');
    expect(interpolateDefaults('${NO_DEFAULT}')).toBe('');
    expect(interpolateDefaults('${SHOP_API_TOKEN:?set it in .env}')).toBe('test-shop-api-token-0123456789abcdef');
    expect(interpolateDefaults('{steward}')).toBe('{steward}');
  });

  it('maps compose hostnames to local stand-ins and leaves other URLs alone', () => {
    const map = { 'sim-llm:3200': 'http://127.0.0.1:4100', 'redis:6379': 'redis://127.0.0.1:4200' };
    expect(rewriteHosts('http://sim-llm:3200/v1', map)).toBe('http://127.0.0.1:4100/v1');
    expect(rewriteHosts('redis://redis:6379', map)).toBe('redis://127.0.0.1:4200');
    expect(rewriteHosts('https://api.openai.com/v1', map)).toBe('https://api.openai.com/v1');
    expect(rewriteHosts('http://shop:3100', map)).toBe('http://shop:3100');
  });

  it('stringifies every value', () => {
    expect(
      localEnv(
        { PORT: 3000, OPENAI_BASE_URL: '${OPENAI_BASE_URL:-http://sim-llm:3200/v1}' },
        { 'sim-llm:3200': 'http://127.0.0.1:1' },
      ),
    ).toEqual({
      PORT: '3000',
      OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
    });
  });
});
