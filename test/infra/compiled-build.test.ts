// The compiled build (scripts/build.ts) produces an entry point that starts for every role, and
// that entry loads no TypeScript: each process runs with Node's type stripping turned off, so a
// `.ts` module left anywhere — in the bundle or in the lock keeper's worker thread — fails it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RedisServer, acquirePostgres, freePort, type PostgresTarget } from '@steward/testing';
import {
  ROOT,
  SERVICES,
  buildServices,
  compiledMain,
  type Service,
} from '../../scripts/lib/build-services.ts';

// Inside the repository (ignored by git), so the bundles' relative paths to node_modules resolve.
mkdirSync(join(ROOT, '.tmp'), { recursive: true });
const dist = mkdtempSync(join(ROOT, '.tmp', 'build-'));
let redis: RedisServer;
let pg: PostgresTarget;

beforeAll(async () => {
  [redis, pg] = await Promise.all([RedisServer.start(), acquirePostgres()]);
  await buildServices(SERVICES, { dist });
}, 180_000);

afterAll(async () => {
  await redis?.stop();
  await pg?.stop();
  rmSync(dist, { recursive: true, force: true });
});

/** The variables a role needs to start here, and the port its /healthz answers on. */
async function envFor(role: Service): Promise<{ env: Record<string, string>; port: number }> {
  const port = await freePort();
  const base = { REDIS_URL: redis.url, REDIS_PREFIX: `{compiled-${role}}`, LOG_LEVEL: 'warn' };
  switch (role) {
    case 'ingress':
      return { port, env: { ...base, PORT: String(port), INGRESS_API_KEYS: 'compiled-build-test-key' } };
    case 'shop':
      return {
        port,
        env: { ...base, PORT: String(port), SHOP_MODE: 'test', SHOP_DB: join(dist, 'shop.db') },
      };
    case 'sim-llm':
      return { port, env: { ...base, PORT: String(port) } };
    case 'tracer':
      return { port, env: { ...base, TRACER_PORT: String(port), OTEL_TRACES_EXPORTER: 'none' } };
    case 'archiver':
      return { port, env: { ...base, ARCHIVER_PORT: String(port), DATABASE_URL: pg.url ?? '' } };
    default:
      return { port, env: { ...base, HEALTH_PORT: String(port) } };
  }
}

async function healthy(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${log()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no /healthz on ${port} after 120 s:\n${log()}`);
}

describe('compiled services (dist/<service>/main.mjs)', () => {
  it('emits the lock keeper thread as JavaScript beside each bundle that starts it', () => {
    for (const s of SERVICES) {
      const main = readFileSync(compiledMain(s, dist), 'utf8');
      if (main.includes('lock-keeper-thread')) {
        expect(main).toMatch(/new URL\("\.\/lock-keeper-thread\.mjs",\s*import\.meta\.url\)/);
        expect(existsSync(join(dist, s, 'lock-keeper-thread.mjs'))).toBe(true);
      }
      expect(main).not.toMatch(/lock-keeper-thread\.ts/);
    }
    // Every worker role starts one.
    for (const s of ['reasoning-worker', 'controller', 'tool-worker', 'deliveries'] as const) {
      expect(readFileSync(compiledMain(s, dist), 'utf8')).toContain('lock-keeper-thread.mjs');
    }
  });

  it.each(SERVICES)(
    '%s starts from its bundle without stripping types, and stops cleanly',
    async (role) => {
      if (role === 'archiver' && 'unavailable' in pg)
        return void console.warn(`archiver not started: ${pg.unavailable}`);
      const { env, port } = await envFor(role);
      let out = '';
      const child = spawn(process.execPath, [compiledMain(role, dist)], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          ...env,
          NODE_OPTIONS: '--no-experimental-strip-types',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      try {
        await healthy(port, child, () => out);
        // A page the bundle reads from services/ingress/public, through the relocated import.meta.url.
        if (role === 'ingress') {
          const inbox = await fetch(`http://127.0.0.1:${port}/inbox`);
          expect(inbox.status).toBe(200);
          expect(await inbox.text()).toMatch(/<html/i);
        }
        // Give a worker's lock keeper thread time to load its module (or fail to) before the stop.
        if (readFileSync(compiledMain(role, dist), 'utf8').includes('lock-keeper-thread.mjs'))
          await new Promise((r) => setTimeout(r, 1_000));
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      // The thread's import failing would have been logged before the graceful stop ended.
      expect(out).not.toContain('lock keeper thread failed');
      expect(out).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION|Cannot find module|ERR_MODULE_NOT_FOUND/);
    },
    150_000,
  );
});
