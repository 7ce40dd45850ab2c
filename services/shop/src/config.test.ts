import { describe, expect, it } from 'vitest';
import { loadConfig } from '@steward/core';

// The shop's section of the one configuration: safe by default.
describe('shop configuration', () => {
  it('defaults to production on the loopback interface, with no token', () => {
    const o = loadConfig({}, 'shop').shop;
    expect(o.mode).toBe('production');
    expect(o.host ?? '127.0.0.1').toBe('127.0.0.1');
    expect(o.apiToken).toBeUndefined();
  });

  it('takes SHOP_MODE and refuses an unknown one', () => {
    expect(loadConfig({ SHOP_MODE: 'demo' }, 'shop').shop.mode).toBe('demo');
    expect(() => loadConfig({ SHOP_MODE: 'prod' }, 'shop')).toThrow(/SHOP_MODE/);
  });
});
