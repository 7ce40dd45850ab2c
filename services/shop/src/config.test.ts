import { describe, expect, it } from 'vitest';
import { shopOptionsFromEnv } from './config.ts';

describe('shop environment', () => {
  it('defaults to production on the loopback interface', () => {
    const o = shopOptionsFromEnv({});
    expect(o.mode).toBe('production');
    expect(o.host).toBe('127.0.0.1');
    expect(o.apiToken).toBeUndefined();
  });

  it('takes SHOP_MODE and refuses an unknown one', () => {
    expect(shopOptionsFromEnv({ SHOP_MODE: 'demo' }).mode).toBe('demo');
    expect(() => shopOptionsFromEnv({ SHOP_MODE: 'prod' })).toThrow(/SHOP_MODE/);
  });
});
