// Finding 8 (shop): the shop process as deployed — its main.ts and environment — must refuse to
// run in production without a real token, compare tokens in constant time, listen on loopback by
// default, and serve the all-data export and the reset only in demo/test mode.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFixtureDir } from '@steward/commerce';
import { freePort, waitForPort } from '@steward/testing';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = 'services/shop/src/main.ts';
const TOKEN = 'f3a9c1e07b5d4e2a8c6b0d9e1f2a3b4c';
const children: ChildProcess[] = [];

interface Shop {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function runShop(env: Record<string, string>): Shop {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', SHOP_DATA: writeFixtureDir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function runningShop(env: Record<string, string>): Promise<{ url: string; shop: Shop }> {
  const port = await freePort();
  const shop = runShop({ PORT: String(port), ...env });
  await Promise.race([
    waitForPort(port, 60_000),
    shop.exited.then((code) => {
      throw new Error(`shop exited (${code}): ${shop.output()}`);
    }),
  ]);
  return { url: `http://127.0.0.1:${port}`, shop };
}

const think = (url: string, authorization?: string): Promise<Response> =>
  fetch(`${url}/v1/tools/think`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
    body: JSON.stringify({ arguments: { thought: 'x' }, customerId: null }),
  });

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('shop hardening (finding 8)', () => {
  it('refuses to start in production without a token, with a message that says what to do', async () => {
    const shop = runShop({ PORT: String(await freePort()) });
    expect(await shop.exited).toBe(1);
    expect(shop.output()).toMatch(/SHOP_API_TOKEN is required in production mode/);
  });

  it('refuses a placeholder token such as the old compose default', async () => {
    const shop = runShop({ PORT: String(await freePort()), SHOP_API_TOKEN: 'dev-shop-token' });
    expect(await shop.exited).toBe(1);
    expect(shop.output()).toMatch(/too short/);
  });

  it('production: loopback by default, token required, no export and no reset', async () => {
    const { url, shop } = await runningShop({ SHOP_API_TOKEN: TOKEN });
    // The log line follows the listen call: the port can open before it reaches the pipe.
    await expect.poll(() => shop.output(), { timeout: 10_000 }).toMatch(/"url":"http:\/\/127\.0\.0\.1:\d+"/);
    expect((await think(url)).status).toBe(401);
    expect((await think(url, `Bearer ${TOKEN.slice(0, -1)}0`)).status).toBe(401);
    expect((await think(url, `Bearer ${TOKEN}`)).status).toBe(200);
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await fetch(`${url}/v1/export`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${url}/v1/reset`, { method: 'POST', headers: auth })).status).toBe(404);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('demo mode: the token is optional and the export exists', async () => {
    const { url } = await runningShop({ SHOP_MODE: 'demo' });
    expect((await think(url)).status).toBe(200);
    const exported = (await (await fetch(`${url}/v1/export`)).json()) as { orders: Record<string, unknown> };
    expect(Object.keys(exported.orders).length).toBeGreaterThan(0);
  });
});

// The deployment files: no credential has a usable default value.
describe('deployment credentials (finding 8)', () => {
  const CREDENTIALS = ['SHOP_API_TOKEN', 'INGRESS_API_KEYS', 'ADMIN_TOKEN', 'GRAFANA_ADMIN_PASSWORD', 'GF_SECURITY_ADMIN_PASSWORD'];

  it('docker-compose.yml requires credentials from .env (or leaves them empty) and never defaults them', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(`${ROOT}docker-compose.yml`, 'utf8');
    for (const name of CREDENTIALS) {
      for (const m of text.matchAll(new RegExp(`\\$\\{${name}(:?[-?])([^}]*)\\}`, 'g'))) {
        const [, op, rest] = m;
        if (op?.endsWith('-')) expect(rest, `${name} must not default to a value`).toBe('');
        else expect(rest, `${name} says how to set it`).toMatch(/\.env/);
      }
    }
    expect(text).not.toMatch(/dev-key|dev-admin|dev-shop-token|:-admin\}/);
    expect(text).toMatch(/\$\{SHOP_API_TOKEN:\?/);
  });

  it('the example Kubernetes Secret holds no credential values', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const secret = parse(readFileSync(`${ROOT}infra/k8s/base/secret.example.yaml`, 'utf8')) as { stringData: Record<string, string> };
    for (const name of ['SHOP_API_TOKEN', 'INGRESS_API_KEYS', 'ADMIN_TOKEN']) expect(secret.stringData[name], name).toBe('');
  });
});
