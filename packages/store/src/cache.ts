import type { Redis } from 'ioredis';
import { fingerprint } from '@steward/core';
import type { Keys } from './keys.ts';

/**
 * Staleness bound of volatile reads, per tool, in seconds (0 = never cached). Order and account
 * data change under steward (the shop's own jobs, a human agent, a data reset) and a write
 * through steward is the only change the tag invalidation sees, so these reads are served from
 * the cache for a few seconds at most: long enough to merge the identical reads of one burst
 * (single-flight), too short to answer a later question with an old status. Catalog reads keep
 * their tool's own TTL. docs/adr/0011-prompt-budget.md lists the bound per tool.
 */
export const VOLATILE_TTL_SEC: Readonly<Record<string, number>> = {
  get_order_details: 5,
  get_user_details: 5,
  get_shipping_info: 5,
  check_order_status: 0,
  check_inventory: 10,
};

/** The TTL a read is cached with: the tool's own, capped by the volatile bound. 0 = do not cache. */
export function cacheTtlFor(tool: string, toolTtlSec: number | undefined): number {
  const own = toolTtlSec ?? 0;
  const cap = VOLATILE_TTL_SEC[tool];
  return cap === undefined ? own : Math.min(own, cap);
}

/**
 * Store a result, end its single-flight lease and register it under its tags, atomically. A
 * script by EVALSHA, not MULTI: an ioredis MULTI copies every script BullMQ defined on the
 * connection (~3 % of the tool-worker's CPU, issue 17). KEYS: entry, lease, tag… · ARGV: value, ttlSec
 */
const SET_ENTRY = `
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
redis.call('DEL', KEYS[2])
for i = 3, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  redis.call('EXPIRE', KEYS[i], ttl * 2)
end
`;

/**
 * A read's cache lookup and, on a miss, its single-flight lease, in one script: they were two
 * round trips in a row before every cacheable call that missed (issue 17, the tool DAG at its
 * critical path). KEYS: entry, lease · ARGV: leaseMs · returns { value } on a hit, { false, 1 }
 * when the lease is ours, { false, 0 } when another caller holds it.
 */
const LOOKUP_OR_LEASE = `
local v = redis.call('GET', KEYS[1])
if v then return { v } end
if redis.call('SET', KEYS[2], '1', 'PX', ARGV[1], 'NX') then return { false, 1 } end
return { false, 0 }
`;

/**
 * A write's invalidation: every entry registered under each tag, then the tags, in one script.
 * It was three round trips per tag in a row (SMEMBERS, DEL of the entries, DEL of the tag)
 * between a write's end and its result recorded. The entries are named by the tag sets (keys
 * the store wrote itself, on this prefix). KEYS: tag… · returns the entries dropped.
 */
const INVALIDATE = `
local dropped = 0
for i = 1, #KEYS do
  local members = redis.call('SMEMBERS', KEYS[i])
  for j = 1, #members, 1000 do
    dropped = dropped + redis.call('DEL', unpack(members, j, math.min(j + 999, #members)))
  end
  redis.call('DEL', KEYS[i])
end
return dropped
`;

/** A cached value; else whether this caller took the lease (it runs the call) or another holds it. */
export type CacheLookup = { hit: string } | { hit: null; leased: boolean };

/**
 * Shared tool-result cache. Entries are keyed by tool + canonical arguments + customer scope
 * and registered under entity tags ("order:#W1"), so a write can drop every read it affects.
 * Single-flight: the first caller of an identical read takes a short lease and runs it; the
 * others wait for its result instead of running it again.
 */
export class ToolCache {
  private readonly redis: Redis;
  private readonly keys: Keys;

  constructor(redis: Redis, keys: Keys) {
    this.redis = redis;
    this.keys = keys;
  }

  keyFor(tool: string, scope: string | null, args: Record<string, unknown>): string {
    return this.keys.cache(tool, scope ?? 'anon', fingerprint(args));
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(key);
  }

  /**
   * `get`, then `lease` on a miss, in one round trip. `leased`: the caller holds the lease and
   * must run the call, then `set` (or `release`); else it may `waitFor` the holder's result.
   */
  async lookup(key: string, leaseMs: number): Promise<CacheLookup> {
    const [v, leased] = (await this.redis.eval(LOOKUP_OR_LEASE, 2, key, this.keys.cacheFlight(key), leaseMs)) as [string | null, number | undefined];
    return typeof v === 'string' ? { hit: v } : { hit: null, leased: leased === 1 };
  }

  /** true: the caller holds the lease and must run the call, then `set` (or `release`). */
  async lease(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.cacheFlight(key), '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  async release(key: string): Promise<void> {
    await this.redis.del(this.keys.cacheFlight(key));
  }

  /** Wait for the lease holder's result; null when it gave up or the lease expired. */
  async waitFor(key: string, timeoutMs: number, pollMs = 5): Promise<string | null> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const [v, flying] = await Promise.all([this.redis.get(key), this.redis.exists(this.keys.cacheFlight(key))]);
      if (v !== null) return v;
      if (!flying) return null;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    return null;
  }

  async set(key: string, value: string, ttlSec: number, tags: string[]): Promise<void> {
    const tagKeys = tags.map((t) => this.keys.cacheTag(t));
    await this.redis.eval(SET_ENTRY, 2 + tagKeys.length, key, this.keys.cacheFlight(key), ...tagKeys, value, ttlSec);
  }

  /** Drop every entry registered under these tags (and the tags): one round trip; the count dropped. */
  async invalidate(tags: string[]): Promise<number> {
    if (!tags.length) return 0;
    const tagKeys = [...new Set(tags)].map((t) => this.keys.cacheTag(t));
    return (await this.redis.eval(INVALIDATE, tagKeys.length, ...tagKeys)) as number;
  }
}
