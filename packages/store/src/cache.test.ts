import { describe, expect, it } from 'vitest';
import { cacheTtlFor, VOLATILE_TTL_SEC } from './cache.ts';

describe('cacheTtlFor', () => {
  it('caps volatile reads at their staleness bound and leaves catalog reads alone', () => {
    expect(cacheTtlFor('get_order_details', 30)).toBe(VOLATILE_TTL_SEC.get_order_details);
    expect(cacheTtlFor('get_user_details', 30)).toBeLessThanOrEqual(5);
    expect(cacheTtlFor('check_order_status', 30)).toBe(0);
    expect(cacheTtlFor('get_product_details', 300)).toBe(300);
    expect(cacheTtlFor('search_products', undefined)).toBe(0);
  });

  it('never lengthens a tool’s own TTL', () => {
    expect(cacheTtlFor('get_order_details', 2)).toBe(2);
    expect(cacheTtlFor('get_order_details', undefined)).toBe(0);
  });
});
