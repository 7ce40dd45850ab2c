// The shop over a real port: routes, errors, auth, fault/latency injection, and the typed client.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFixtureEngine, createShopClient, writeFixtureDir, invokeTool } from '@steward/commerce';
import { isStewardError } from '@steward/core';
import { createLogger } from '@steward/telemetry';
import { startShop, type RunningShop, type StartShopOptions } from './index.ts';

const ALICE = 'alice_smith_1001';
const quiet = createLogger({ service: 'shop-test', level: 'silent' });
const running: RunningShop[] = [];

async function shop(opts: StartShopOptions = {}): Promise<RunningShop> {
  const s = await startShop({ engine: createFixtureEngine(), port: 0, logger: quiet, mode: 'test', ...opts });
  running.push(s);
  return s;
}

afterEach(async () => {
  while (running.length) await running.pop()!.close();
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('shop HTTP server', () => {
  it('answers tool calls with a ShopToolResponse', async () => {
    const s = await shop();
    const res = await post(`${s.url}/v1/tools/find_user_id_by_email`, { arguments: { email: 'bob.jones@example.com' }, customerId: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: 'bob_jones_2002', identifiedUserId: 'bob_jones_2002' });
  });

  it('404 JSON for an unknown tool, 400 for an invalid body, healthz, export', async () => {
    const s = await shop();
    const unknown = await post(`${s.url}/v1/tools/rm_rf`, { arguments: {}, customerId: null });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown_tool');
    const bad = await post(`${s.url}/v1/tools/get_order_details`, { arguments: 'nope' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    expect(await (await fetch(`${s.url}/healthz`)).json()).toMatchObject({ status: 'ok' });
    const exported = (await (await fetch(`${s.url}/v1/export`)).json()) as { orders: Record<string, unknown> };
    expect(Object.keys(exported.orders)).toContain('#W1000001');
  });

  it('requires the bearer token when SHOP_API_TOKEN is set (healthz stays open)', async () => {
    const s = await shop({ apiToken: 's3cret' });
    expect((await post(`${s.url}/v1/tools/think`, { arguments: { thought: 'x' }, customerId: null })).status).toBe(401);
    expect((await fetch(`${s.url}/v1/export`)).status).toBe(401);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    const ok = await post(`${s.url}/v1/tools/think`, { arguments: { thought: 'x' }, customerId: null }, { authorization: 'Bearer s3cret' });
    expect(await ok.json()).toEqual({ result: '' });
    for (const authorization of ['Bearer s3cre', 'Bearer s3cret2', 's3cret', '']) {
      expect((await post(`${s.url}/v1/tools/think`, { arguments: { thought: 'x' }, customerId: null }, { authorization })).status, authorization).toBe(401);
    }
  });

  it('production mode refuses to start without a strong token and has no export or reset', async () => {
    await expect(shop({ mode: 'production' })).rejects.toMatchObject({ name: 'ShopConfigError', retryable: false });
    await expect(shop({ mode: 'production', apiToken: 'dev-shop-token' })).rejects.toThrow(/too short/);
    const token = 'a'.repeat(32);
    const s = await shop({ mode: 'production', apiToken: token });
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${s.url}/v1/export`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${s.url}/v1/reset`, { method: 'POST', headers: auth })).status).toBe(404);
    expect((await post(`${s.url}/v1/tools/think`, { arguments: { thought: 'x' }, customerId: null }, auth)).status).toBe(200);
  });

  it('binds the loopback interface unless told otherwise', async () => {
    const s = await shop();
    expect(new URL(s.url).hostname).toBe('127.0.0.1');
  });

  it('loads a τ-bench layout directory when given dataDir, in a sqlite file', async () => {
    const s = await shop({ engine: undefined, dataDir: writeFixtureDir() });
    const client = createShopClient(s.url);
    const r = await client.invoke('get_order_details', { arguments: { order_id: '#W1000001' }, customerId: ALICE });
    expect(JSON.parse(r.result).status).toBe('pending');
  });

  it('generates the demo catalog when there is no data dir', async () => {
    const s = await shop({ engine: undefined, seed: 1, catalogSize: { products: 30, users: 10, orders: 20 } });
    const r = await createShopClient(s.url).invoke('search_products', { arguments: { query: 'laptop' }, customerId: null });
    expect(JSON.parse(r.result).products.length).toBeGreaterThan(0);
  });
});

describe('shop client', () => {
  it('passes identity and idempotency keys: one effect for one key', async () => {
    const s = await shop();
    const client = createShopClient(s.url);
    const req = { arguments: { order_id: '#W1000001', reason: 'no longer needed' }, customerId: ALICE, idempotencyKey: 'q:t1:c0' };
    const first = await client.invoke('cancel_pending_order', req);
    const second = await client.invoke('cancel_pending_order', req);
    expect(first.touched).toContain('order:#W1000001');
    expect(second).toEqual({ ...first, replayed: true });
    const denied = await client.invoke('get_order_details', { arguments: { order_id: '#W1000001' }, customerId: 'bob_jones_2002' });
    expect(denied).toEqual({ result: 'Error: order not found', denied: true });
  });

  it('a 503 (fault injection) is a retryable TransientError', async () => {
    const s = await shop({ faultRate: 1 });
    const err = await createShopClient(s.url).invoke('think', { arguments: { thought: 'x' }, customerId: null }).catch((e: unknown) => e);
    expect(isStewardError(err) && err.retryable && err.code === 'shop_http_503').toBe(true);
  });

  it('a timeout is a retryable TransientError', async () => {
    const s = await shop({ slowRate: 1, slowMs: 1_000 });
    const err = await createShopClient(s.url, { timeoutMs: 50 })
      .invoke('think', { arguments: { thought: 'x' }, customerId: null })
      .catch((e: unknown) => e);
    expect(isStewardError(err) && err.retryable && err.code === 'shop_timeout').toBe(true);
  });

  it('a refused connection is retryable; a 4xx is not', async () => {
    const s = await shop({ apiToken: 't' });
    const url = s.url;
    const e401 = await createShopClient(url).invoke('think', { arguments: { thought: 'x' }, customerId: null }).catch((e: unknown) => e);
    expect(isStewardError(e401) && !e401.retryable && e401.kind === 'unauthorized').toBe(true);
    const e404 = await createShopClient(url, { token: 't' }).invoke('nope', { arguments: {}, customerId: null }).catch((e: unknown) => e);
    expect(isStewardError(e404) && !e404.retryable && e404.kind === 'not_found').toBe(true);
    await running.pop()!.close();
    const down = await createShopClient(url).invoke('think', { arguments: { thought: 'x' }, customerId: null }).catch((e: unknown) => e);
    expect(isStewardError(down) && down.retryable && down.code === 'shop_unreachable').toBe(true);
  });
});

describe('shop database reuse', () => {
  it('reuses a generated database of the same seed and sizes, regenerates on another seed', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'shop-reuse-')), 'shop.db');
    const size = { products: 20, users: 10, orders: 20 };
    const a = await shop({ engine: undefined, dbPath, seed: 1, catalogSize: size });
    const addr = { address1: 'x', address2: '', city: 'y', state: 'z', country: 'USA', zip: '00000' };
    const userId = Object.keys(a.engine.exportAll().users)[0]!;
    invokeTool(a.engine, 'modify_user_address', { user_id: userId, ...addr }, { customerId: userId });
    await running.pop()!.close();
    const b = await shop({ engine: undefined, dbPath, seed: 1, catalogSize: size });
    expect((b.engine.exportAll().users[userId] as { address: unknown }).address).toEqual(addr);
    await running.pop()!.close();
    const c = await shop({ engine: undefined, dbPath, seed: 2, catalogSize: size });
    expect(c.engine.exportAll().users[userId]).toBeUndefined();
  });
});
