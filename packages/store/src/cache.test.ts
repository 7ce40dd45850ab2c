import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deletePrefix, monitorRedis, uniquePrefix } from '@steward/testing';
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

describe('ToolCache.invalidate', () => {
  it('drops every entry under each tag and the tags, an entry under two tags counted once', async () => {
    const a = cache.keyFor('get_order_details', 'u9', { order_id: '#W9' });
    const b = cache.keyFor('get_user_details', 'u9', { user_id: 'u9' });
    const other = cache.keyFor('get_order_details', 'u8', { order_id: '#W8' });
    await cache.set(a, 'a', 30, ['order:#W9', 'user:u9']);
    await cache.set(b, 'b', 30, ['user:u9']);
    await cache.set(other, 'o', 30, ['order:#W8']);
    expect(await cache.invalidate(['order:#W9', 'user:u9', 'order:#W9'])).toBe(2);
    expect(await redis.exists(a, b, keys.cacheTag('order:#W9'), keys.cacheTag('user:u9'))).toBe(0);
    // Entries of other tags stay.
    expect(await cache.get(other)).toBe('o');
    expect(await cache.invalidate([])).toBe(0);
    expect(await cache.invalidate(['order:#W-none'])).toBe(0);
  });
});

describe('ToolCache.invalidate, on the wire', () => {
  it('is one command for any number of tags (it was three per tag, one after the other)', async () => {
    const sent: string[][] = [];
    const mon = await monitorRedis(url, (_time: string, argv: string[], source: string) => {
      if (!source.includes('lua') && argv.some((x) => x.startsWith(keys.cacheTag('wire')))) sent.push(argv);
    });
    try {
      await cache.invalidate(['wire-warm-up']);
      await cache.set(cache.keyFor('get_order_details', 'u7', { order_id: '#W7' }), 'x', 30, ['wire:a', 'wire:b']);
      await new Promise((r) => setTimeout(r, 100));
      sent.length = 0;
      expect(await cache.invalidate(['wire:a', 'wire:b', 'wire:c'])).toBe(1);
      for (let i = 0; i < 50 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
      expect(sent.map((a) => a[0]!.toLowerCase())).toEqual(['evalsha']);
    } finally {
      mon.close();
    }
  });
});
