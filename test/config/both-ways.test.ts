// The same variables change the same behaviour whichever way steward runs: all roles in one
// process (startSystem with loadConfig, what `./steward demo` does) and each role as its own
// process (services/*/src/main.ts with the environment, what compose and Kubernetes do). The
// model requests are recorded by a proxy in front of sim-llm, the query outcome read from the API.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '@steward/core';
import { startShop, type RunningShop } from '@steward/shop';
import { startSimLlm, type SimLlm } from '@steward/sim-llm';
import { startSystem } from '@steward/system';
import { createLogger } from '@steward/telemetry';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { IngressClient, type QueryView } from '../helpers/client.ts';
import { e2eData } from '../helpers/e2e-data.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const redisUrl = inject('redisUrl');
const API_KEY = 'both-ways-key';
/** The representative set: one variable of the controller, two of the reasoning-worker. */
const CHANGED = { MAX_TURNS: '1', LLM_TOOL_STYLE: 'text', OUTPUT_TOKENS_PER_TURN: '123' };
const data = e2eData();
const QUESTION = { customerId: data.customer, text: `What is the status of my order ${data.statusOrder.id}?` };

interface ChatRequest {
  tools?: unknown[];
  max_tokens?: number;
  max_completion_tokens?: number;
}
interface Observation {
  requests: ChatRequest[];
  query: QueryView;
}

let shop: RunningShop;
let sim: SimLlm;
let proxy: Server;
let proxyUrl: string;
const recorded = new Map<string, ChatRequest[]>();
const prefixes: string[] = [];

/** Forwards /<run>/v1/… to sim-llm and records each chat request under its run. */
function startProxy(): Promise<string> {
  proxy = createServer((req, res) => {
    const [, run = '', ...rest] = (req.url ?? '').split('/');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST' && body.length > 0) {
        const list = recorded.get(run) ?? [];
        list.push(JSON.parse(body.toString('utf8')) as ChatRequest);
        recorded.set(run, list);
      }
      const target = new URL(`/${rest.join('/')}`, sim.url);
      const upstream = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(proxy.address() as { port: number }).port}`)));
}

async function baseEnv(run: string): Promise<Record<string, string>> {
  const prefix = uniquePrefix(`both-${run}`);
  prefixes.push(prefix);
  return {
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    PORT: String(await freePort()),
    INGRESS_API_KEYS: API_KEY,
    SHOP_URL: shop.url,
    OPENAI_BASE_URL: `${proxyUrl}/${run}/v1`,
    // A loaded test machine must not turn a slow start into a deadline fallback.
    QUERY_DEADLINE_MS: '120000',
  };
}

async function throughSystem(run: string, extra: Record<string, string>): Promise<Observation> {
  const env = { ...(await baseEnv(run)), ...extra };
  const sys = await startSystem({ config: loadConfig(env, 'system'), apiKeys: API_KEY, tracer: false, deliveries: false });
  try {
    const query = await new IngressClient(sys.url, API_KEY).ask(QUESTION, 120_000);
    return { requests: recorded.get(run) ?? [], query };
  } finally {
    await sys.close();
  }
}

async function waitHealthy(url: string, child: ChildProcess, output: string[]): Promise<void> {
  const end = Date.now() + 180_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${output.join('').slice(-2000)}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} never healthy: ${output.join('').slice(-2000)}`);
}

async function throughRoleProcesses(run: string, extra: Record<string, string>): Promise<Observation> {
  const env = { ...(await baseEnv(run)), ...extra };
  const children: ChildProcess[] = [];
  try {
    const started = ['ingress', 'reasoning-worker', 'controller', 'tool-worker'].map(async (role) => {
      const healthPort = String(await freePort());
      const output: string[] = [];
      const child = spawn(process.execPath, [`services/${role}/src/main.ts`], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, HEALTH_PORT: healthPort },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
      const port = role === 'ingress' ? env.PORT : healthPort;
      await waitHealthy(`http://127.0.0.1:${port}/healthz`, child, output);
    });
    await Promise.all(started);
    const query = await new IngressClient(`http://127.0.0.1:${env.PORT}`, API_KEY).ask(QUESTION, 120_000);
    return { requests: recorded.get(run) ?? [], query };
  } finally {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
  }
}

const maxTokens = (r: ChatRequest) => r.max_tokens ?? r.max_completion_tokens;

function expectDefaults(o: Observation): void {
  expect(o.requests.length).toBeGreaterThanOrEqual(2);
  for (const r of o.requests) expect(r.tools?.length ?? 0, 'native tool calling sends tool definitions').toBeGreaterThan(0);
  for (const r of o.requests) expect(maxTokens(r)).toBe(500);
  expect(o.query.outcome).toBe('answered');
  expect(o.query.turns).toBeGreaterThanOrEqual(2);
}

function expectChanged(o: Observation): void {
  expect(o.requests.length).toBeGreaterThanOrEqual(1);
  // LLM_TOOL_STYLE=text: the tools are described in the prompt, none sent as definitions.
  for (const r of o.requests) expect(r.tools ?? []).toEqual([]);
  // OUTPUT_TOKENS_PER_TURN=123
  for (const r of o.requests) expect(maxTokens(r)).toBe(123);
  // MAX_TURNS=1: a question that needs a tool result and a second turn cannot be answered.
  expect(o.query.turns).toBe(1);
  expect(o.query.outcome).not.toBe('answered');
}

describe('an invalid value stops every role process at start', () => {
  it.each(['ingress', 'reasoning-worker', 'controller', 'tool-worker', 'deliveries', 'tracer', 'archiver', 'shop', 'sim-llm'])(
    '%s exits non-zero naming the variable',
    async (role) => {
      const child = spawn(process.execPath, [`services/${role}/src/main.ts`], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', REDIS_URL: redisUrl, MAX_TURNS: 'eight' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output: string[] = [];
      child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      expect(code).not.toBe(0);
      expect(output.join('')).toMatch(/invalid configuration: MAX_TURNS:/);
    },
    60_000,
  );
});

describe(`a variable changes the same behaviour in both ways of running (${data.source} data)`, () => {
  beforeAll(async () => {
    shop = await startShop({ port: 0, mode: 'test', dataDir: data.shopData, logger: createLogger({ service: 'shop', level: 'warn' }) });
    sim = await startSimLlm({ port: 0 });
    proxyUrl = await startProxy();
  });
  afterAll(async () => {
    proxy?.close();
    await sim?.close();
    await shop?.close();
    for (const p of prefixes) await deletePrefix(redisUrl, p);
  });

  it('startSystem with loadConfig: defaults, then MAX_TURNS, LLM_TOOL_STYLE, OUTPUT_TOKENS_PER_TURN', async () => {
    expectDefaults(await throughSystem('system-default', {}));
    expectChanged(await throughSystem('system-changed', CHANGED));
  }, 300_000);

  it('each role as its own process: the same variables, the same effects', async () => {
    expectDefaults(await throughRoleProcesses('roles-default', {}));
    expectChanged(await throughRoleProcesses('roles-changed', CHANGED));
  }, 600_000);
});
