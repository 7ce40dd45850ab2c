import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { cacheTtlFor, ToolCache, VOLATILE_TTL_SEC } from './cache.ts';
import { createKeys } from './keys.ts';
import { createRedis } from './redis.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('toolcache');
const keys = createKeys(prefix);
let redis: Redis;
let cache: ToolCache;

beforeAll(() => {
  redis = createRedis(url);
  cache = new ToolCache(redis, keys);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

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

describe('ToolCache.set', () => {
  it('stores the entry with its TTL, ends the lease and registers it under every tag for twice the TTL', async () => {
    const key = cache.keyFor('get_order_details', 'u1', { order_id: '#W1' });
    expect(await cache.lease(key, 5000)).toBe(true);
    await cache.set(key, '{"ok":1}', 30, ['order:#W1', 'user:u1']);
    expect(await cache.get(key)).toBe('{"ok":1}');
    expect(await redis.ttl(key)).toBeGreaterThan(25);
    expect(await redis.exists(keys.cacheFlight(key))).toBe(0);
    for (const t of ['order:#W1', 'user:u1']) {
      expect(await redis.smembers(keys.cacheTag(t))).toEqual([key]);
      expect(await redis.ttl(keys.cacheTag(t))).toBeGreaterThan(55);
    }
    // The lease is free again, and a write's invalidation drops the entry through its tag.
    expect(await cache.lease(key, 5000)).toBe(true);
    expect(await cache.invalidate(['order:#W1'])).toBe(1);
    expect(await cache.get(key)).toBeNull();
  });

  it('stores an entry without tags', async () => {
    const key = cache.keyFor('get_product_details', null, { product_id: 'p1' });
    await cache.set(key, 'v', 300, []);
    expect(await cache.get(key)).toBe('v');
    expect(await redis.ttl(key)).toBeGreaterThan(295);
  });
});

describe('ToolCache.lookup', () => {
  it('answers a hit with its value, a miss with the lease for the first caller only, in one script', async () => {
    const key = cache.keyFor('get_product_details', null, { product_id: 'lookup-1' });
    const first = await cache.lookup(key, 5000);
    expect(first).toEqual({ hit: null, leased: true });
    // The lease was taken by the same script: a second caller finds it held, with its expiry.
    expect(await redis.pttl(keys.cacheFlight(key))).toBeGreaterThan(4000);
    expect(await cache.lookup(key, 5000)).toEqual({ hit: null, leased: false });
    await cache.set(key, '{"result":"p"}', 60, []);
    expect(await cache.lookup(key, 5000)).toEqual({ hit: '{"result":"p"}' });
    // A hit takes no lease.
    expect(await redis.exists(keys.cacheFlight(key))).toBe(0);
  });

  it('gives the lease again once its holder released it', async () => {
    const key = cache.keyFor('get_product_details', null, { product_id: 'lookup-2' });
    expect(await cache.lookup(key, 5000)).toEqual({ hit: null, leased: true });
    await cache.release(key);
    expect(await cache.lookup(key, 5000)).toEqual({ hit: null, leased: true });
  });
});
