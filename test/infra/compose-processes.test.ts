// docker-compose.yml without Docker: every steward service is started as a local process with
// exactly the environment compose gives its container (defaults resolved, hostnames mapped to
// local ports), the image's HEALTHCHECK script must pass for each, one customer message must go
// through the whole pipeline, spans must reach the OTLP endpoint, and SIGTERM must stop every
// process cleanly. It catches a compose file that names a variable wrongly or forgets one, and a
// queue that no compose service consumes.
import { describe, it, expect, inject, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, connect } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { QUEUES, QUEUE_CONSUMERS } from '@steward/core';
import { STEWARD_SERVICES, arr, obj, readYaml, rootPath } from './repo-files.ts';
import { interpolateDefaults, localEnv, type AddressMap } from './compose-env.ts';

const services = obj(obj(readYaml('docker-compose.yml'), 'compose').services, 'services');
const composeEnv = (name: string) => obj(obj(services[name], name).environment, `${name}.environment`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createTcpServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until `check` is true; the limit only bounds a hung run, it measures nothing. */
async function eventually(what: string, check: () => Promise<boolean>, limitMs = 180_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await sleep(500);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** The image's HEALTHCHECK, run as Docker runs it: same script, the container's environment. */
function healthcheck(env: Record<string, string>): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [rootPath('infra/docker/healthcheck.mjs')], {
      env,
      stdio: 'ignore',
    });
    child.on('exit', (code) => resolve(code === 0));
    child.on('error', () => resolve(false));
  });
}

/** DEL every key of the run's prefix (raw RESP: the root package has no Redis client). */
function deletePrefix(redisUrl: string, prefix: string): Promise<void> {
  const { hostname, port } = new URL(redisUrl);
  const script = "for _,k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1";
  const args = ['EVAL', script, '0', `${prefix}*`];
  const frame = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write(frame));
    socket.once('data', () => socket.end());
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}

/** Names of the connections to Redis (raw RESP CLIENT LIST: the root package has no Redis client). */
function clientNames(redisUrl: string): Promise<string[]> {
  const { hostname, port } = new URL(redisUrl);
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const socket = connect(Number(port), hostname, () => socket.write('*2\r\n$6\r\nCLIENT\r\n$4\r\nLIST\r\n'));
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const header = buf.indexOf('\r\n');
      if (header < 0) return;
      const len = Number(buf.subarray(1, header).toString());
      if (buf.length < header + 2 + len) return;
      socket.end();
      const list = buf.subarray(header + 2, header + 2 + len).toString();
      resolve(list.split('\n').map((l) => / name=(\S*)/.exec(l)?.[1] ?? '').filter(Boolean));
    });
    socket.on('error', reject);
  });
}

describe('docker-compose.yml services run as local processes', () => {
  const children = new Map<string, ChildProcess>();
  const logs = new Map<string, string[]>();
  let otlp: Server | undefined;
  const tmp = mkdtempSync(join(tmpdir(), 'steward-compose-'));
  const redisUrl = inject('redisUrl');
  const prefix = `{steward-infra-${randomBytes(4).toString('hex')}}`;

  afterAll(async () => {
    for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
    otlp?.close();
    await deletePrefix(redisUrl, prefix);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('starts, answers a message end to end, exports spans and stops on SIGTERM', async () => {
    // Local stand-ins for the compose network.
    const otlpPaths: string[] = [];
    otlp = createServer((req, res) => {
      otlpPaths.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
    });
    const otlpPort = await new Promise<number>((r) =>
      otlp?.listen(0, '127.0.0.1', () => r((otlp?.address() as { port: number }).port)),
    );
    const httpPorts = { ingress: await freePort(), shop: await freePort(), 'sim-llm': await freePort() };
    const map: AddressMap = {
      'redis:6379': redisUrl.replace(/\/$/, ''),
      'sim-llm:3200': `http://127.0.0.1:${httpPorts['sim-llm']}`,
      'shop:3100': `http://127.0.0.1:${httpPorts.shop}`,
      'jaeger:4318': `http://127.0.0.1:${otlpPort}`,
    };

    const envs = new Map<string, Record<string, string>>();
    for (const name of STEWARD_SERVICES) {
      const env = localEnv(composeEnv(name), map);
      expect(env.REDIS_URL, name).toBe(map['redis:6379']);
      env.REDIS_PREFIX = prefix;
      if (name in httpPorts) env.PORT = String(httpPorts[name as keyof typeof httpPorts]);
      if (env.HEALTH_PORT !== undefined) {
        const port = String(await freePort());
        // compose gives the tracer TRACER_PORT = HEALTH_PORT; keep them equal here too.
        if (env.TRACER_PORT !== undefined) env.TRACER_PORT = port;
        env.HEALTH_PORT = port;
      }
      if (name === 'shop') {
        // compose mounts the τ-bench folder at /data/taubench: use the same folder when it is
        // here, else the generated catalog (what SHOP_DATA= gives in compose).
        const volumes = arr(obj(services.shop, 'shop').volumes, 'shop.volumes').map(String);
        const mount = volumes.find((v) => v.split(':')[1] === env.SHOP_DATA);
        const source =
          mount === undefined ? '' : resolve(rootPath(), interpolateDefaults(mount.split(':')[0] ?? ''));
        env.SHOP_DATA = source !== '' && existsSync(source) ? source : '';
        env.SHOP_DB = join(tmp, 'shop.db');
      }
      envs.set(name, {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmp,
        NODE_ENV: 'production',
        // What the image sets (infra/Dockerfile ENV).
        HOST: '0.0.0.0',
        NODE_OPTIONS: '--disable-warning=ExperimentalWarning',
        ...env,
      });
    }

    for (const [name, env] of envs) {
      const child = spawn(process.execPath, [`services/${name}/src/main.ts`], {
        cwd: rootPath(),
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const lines: string[] = [];
      logs.set(name, lines);
      child.stdout?.on('data', (d: Buffer) => lines.push(d.toString()));
      child.stderr?.on('data', (d: Buffer) => lines.push(d.toString()));
      children.set(name, child);
    }

    for (const [name, env] of envs) {
      try {
        await eventually(`${name} healthcheck`, async () => {
          if (children.get(name)?.exitCode !== null) throw new Error(`${name} exited`);
          return healthcheck(env);
        });
      } catch (e) {
        throw new Error(`${String(e)}\n${name} output:\n${(logs.get(name) ?? []).join('').slice(-3000)}`);
      }
    }

    // Every queue of the contract has a BullMQ worker connected (BullMQ names a worker's
    // connection `<prefix>:<base64 queue name>`): nothing enqueued waits for a role compose lacks.
    const names = await clientNames(redisUrl);
    for (const queue of Object.values(QUEUES)) {
      const worker = `${prefix}:${Buffer.from(queue).toString('base64')}`;
      expect(
        names.some((n) => n === worker || n.startsWith(`${worker}:w:`)),
        `a worker consumes ${queue} (${QUEUE_CONSUMERS[queue]})`,
      ).toBe(true);
    }

    const ingress = `http://127.0.0.1:${httpPorts.ingress}`;
    const apiKey = envs.get('ingress')?.INGRESS_API_KEYS ?? '';
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const accepted = await fetch(`${ingress}/v1/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ conversationId: 'compose-smoke', text: 'Hello, what can you do?' }),
    });
    expect(accepted.status).toBe(202);
    const { queryId } = (await accepted.json()) as { queryId: string };

    let query: { status?: string; outcome?: string; answer?: string } = {};
    await eventually('the answer', async () => {
      const res = await fetch(`${ingress}/v1/queries/${queryId}`, { headers });
      query = (await res.json()) as typeof query;
      return query.status === 'completed' || query.status === 'failed';
    });
    expect(query.status).toBe('completed');
    expect(query.outcome).toBe('answered');
    expect((query.answer ?? '').length).toBeGreaterThan(0);

    // tracer → OTLP/HTTP at the endpoint compose configures.
    await eventually('spans at the OTLP endpoint', async () => otlpPaths.includes('/v1/traces'));
    // ingress /metrics (what Prometheus scrapes) counts the query once the tracer recorded it.
    await eventually('the query in ingress /metrics', async () => {
      const text = await (await fetch(`${ingress}/metrics`)).text();
      return /^steward_queries_total\{outcome="answered"\} [1-9]/m.test(text);
    });

    // Graceful stop: every process exits 0 on SIGTERM (compose and Kubernetes send it).
    const exits = [...children].map(
      ([name, child]) =>
        new Promise<[string, number | null]>((resolve) => {
          if (child.exitCode !== null) return resolve([name, child.exitCode]);
          child.once('exit', (code) => resolve([name, code]));
          child.kill('SIGTERM');
        }),
    );
    const codes = Object.fromEntries(await Promise.all(exits));
    expect(codes).toEqual(Object.fromEntries(STEWARD_SERVICES.map((n) => [n, 0])));
  }, 420_000);
});
