import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { createKeys, createRedis, ToolCache } from '@steward/store';
import { deletePrefix, monitorRedis, uniquePrefix, type RedisMonitor } from '@steward/testing';
import type { ToolSpec } from '@steward/tools';
import { execute } from './execute.ts';

// A cacheable call against a real Redis: what it sends before and after the tool runs.
const url = inject('redisUrl');
const prefix = uniquePrefix('execute');
const keys = createKeys(prefix);
let redis: ReturnType<typeof createRedis>;
let mon: RedisMonitor;
/** Commands a client sent that name this test's keys (not those a script ran inside Redis). */
const seen: string[][] = [];

const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
let runs = 0;
const spec: ToolSpec = {
  name: 'get_product_details',
  description: 'A cacheable read (test double).',
  parameters: z.object({ product_id: z.string() }),
  readOnly: true,
  cacheTtlSec: 60,
  run: (args) => {
    runs++;
    return String(args.product_id).startsWith('bad') ? 'Error: no such product' : `details of ${String(args.product_id)}`;
  },
};

beforeAll(async () => {
  redis = createRedis(url);
  mon = await monitorRedis(url, (_time: string, argv: string[], source: string) => {
    if (!source.includes('lua') && argv.some((a) => a.startsWith(`${prefix}:`))) seen.push(argv);
  });
});
afterAll(async () => {
  mon.close();
  redis.disconnect();
  await deletePrefix(url, prefix);
});

const deps = () => ({ cache: new ToolCache(redis, keys), shop: { invoke: () => Promise.reject(new Error('no shop here')) }, toolTimeoutMs: 2000, log });
/** MONITOR's lines arrive after the commands ran: wait until n of them name `key`, or 1 s. */
async function commandsOn(key: string, n: number): Promise<string[][]> {
  const until = Date.now() + 1000;
  const mine = () => seen.filter((a) => a.some((x) => x === key || x === keys.cacheFlight(key)));
  while (mine().length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
  return mine();
}

describe('execute, a cacheable read', () => {
  it('looks up and leases in one command before a miss runs, and hands back its store to await beside the record', async () => {
    const d = deps();
    // Redis learns both scripts first (the first use of a script is an EVAL after NOSCRIPT).
    await (await execute(d, spec, { product_id: 'warm-up' }, 'u1', 'k0')).cached;
    const key = d.cache.keyFor(spec.name, 'u1', { product_id: 'p1' });
    const before = runs;
    const miss = await execute(d, spec, { product_id: 'p1' }, 'u1', 'k1');
    expect(miss.cacheHit).toBe(false);
    expect(miss.response.result).toBe('details of p1');
    expect(miss.cached).toBeInstanceOf(Promise);
    await miss.cached;
    // One script before the call ran (lookup + lease), one after (store + end of the lease):
    // the separate GET and SET NX before it were two round trips in a row.
    const sent = await commandsOn(key, 2);
    expect(sent.map((a) => a[0]!.toLowerCase())).toEqual(['evalsha', 'evalsha']);
    expect(await redis.get(key)).toBe(JSON.stringify({ result: 'details of p1' }));
    expect(await redis.exists(keys.cacheFlight(key))).toBe(0);

    const hit = await execute(d, spec, { product_id: 'p1' }, 'u1', 'k2');
    expect(hit).toEqual({ response: { result: 'details of p1' }, cacheHit: true });
    expect(runs).toBe(before + 1);
  });

  it('does not cache an error result and frees the lease for the next caller', async () => {
    const d = deps();
    const key = d.cache.keyFor(spec.name, null, { product_id: 'bad1' });
    const first = await execute(d, spec, { product_id: 'bad1' }, null, 'k3');
    await first.cached;
    expect(first.response.result).toMatch(/^Error/);
    expect(await redis.exists(key, keys.cacheFlight(key))).toBe(0);
    expect(await d.cache.lookup(key, 1000)).toEqual({ hit: null, leased: true });
  });

  it('waits for the result of an identical read already running elsewhere', async () => {
    const d = deps();
    const key = d.cache.keyFor(spec.name, null, { product_id: 'p2' });
    // Another worker holds the lease; its result lands a moment later.
    expect(await d.cache.lease(key, 2000)).toBe(true);
    setTimeout(() => void d.cache.set(key, JSON.stringify({ result: 'from the other worker' }), 60, []), 30);
    const before = runs;
    const shared = await execute(d, spec, { product_id: 'p2' }, null, 'k4');
    expect(shared).toEqual({ response: { result: 'from the other worker' }, cacheHit: true });
    expect(runs).toBe(before);
  });
});
