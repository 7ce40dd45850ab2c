// Offline checks of infra/Dockerfile and .dockerignore, and a real run of the HEALTHCHECK script
// against local HTTP servers.
import { describe, it, expect, afterEach } from 'vitest';
import { createServer, type Server } from 'node:http';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { pathExists, readText, rootPath } from './repo-files.ts';
import { parseDockerfile, type Stage } from './dockerfile-instructions.ts';
import { DEPLOYED_NODE_ARGS, DEPLOYED_NODE_OPTIONS } from '../bench/cluster.ts';

const { globalArgs, stages } = parseDockerfile(readText('infra/Dockerfile'));
const runtime = stages[stages.length - 1] as Stage;
const ins = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

describe('infra/Dockerfile', () => {
  it('is multi-stage and runs on node:24-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const nodeImage = globalArgs.find((a) => a.args.startsWith('NODE_IMAGE='))?.args.split('=')[1];
    expect(nodeImage).toBe('node:24-slim');
    expect(runtime.from).toBe('${NODE_IMAGE}');
  });

  it('installs production dependencies from the lockfile with pnpm 10', () => {
    const deps = stages.find((s) => s.name === 'deps');
    expect(deps?.name).toBe('deps');
    const run = ins(deps as Stage, 'RUN')
      .map((i) => i.args)
      .join('\n');
    expect(run).toMatch(/pnpm@\$\{PNPM_VERSION\}/);
    expect(ins(deps as Stage, 'ARG').some((a) => /^PNPM_VERSION=10\./.test(a.args))).toBe(true);
    expect(run).toMatch(/pnpm install[^\n]*--frozen-lockfile/);
    expect(run).toMatch(/pnpm install[^\n]*--prod/);
    // The runtime image takes the installed tree from the deps stage, not a second install.
    expect(ins(runtime, 'COPY').some((c) => c.args.startsWith('--from=deps'))).toBe(true);
  });

  it('pins the same pnpm major version as the repository', () => {
    const pkg = JSON.parse(readText('package.json')) as { packageManager?: string };
    const deps = stages.find((s) => s.name === 'deps') as Stage;
    const pinned = ins(deps, 'ARG')
      .find((a) => a.args.startsWith('PNPM_VERSION='))
      ?.args.split('=')[1];
    expect(pkg.packageManager).toBe(`pnpm@${pinned}`);
  });

  it('runs as a non-root user', () => {
    const users = ins(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const last = users[users.length - 1]?.args.split(':')[0];
    expect(['root', '0', '']).not.toContain(last);
  });

  it('has a HEALTHCHECK whose script is in the build context', () => {
    const hc = ins(runtime, 'HEALTHCHECK');
    expect(hc.length).toBe(1);
    const script = /\/app\/(infra\/docker\/healthcheck\.mjs)/.exec(hc[0]?.args ?? '')?.[1];
    expect(script).toBe('infra/docker/healthcheck.mjs');
    expect(pathExists(script as string)).toBe(true);
    const ignored = readText('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).not.toContain('infra');
    expect(ignored).not.toContain('infra/docker');
  });

  it('uses tini as init and picks the service from SERVICE', () => {
    expect(ins(runtime, 'ENTRYPOINT')[0]?.args).toContain('tini');
    expect(ins(runtime, 'RUN').some((r) => r.args.includes('tini'))).toBe(true);
    expect(ins(runtime, 'ARG').some((a) => a.args.startsWith('SERVICE'))).toBe(true);
    expect(ins(runtime, 'ENV').some((e) => e.args.includes('SERVICE=${SERVICE}'))).toBe(true);
    const cmd = ins(runtime, 'CMD')[0]?.args ?? '';
    expect(cmd).toContain('exec node');
    expect(cmd).toContain('dist/${SERVICE}/main.mjs');
  });

  it('gives node the flags the benchmarks run the services with, and this Node accepts them', async () => {
    const env = ins(runtime, 'ENV').map((e) => e.args).join('\n');
    const nodeOptions = /NODE_OPTIONS="([^"]*)"/.exec(env)?.[1] ?? '';
    for (const flag of DEPLOYED_NODE_OPTIONS.split(' ')) expect(nodeOptions.split(' ')).toContain(flag);
    const nodeArgs = /STEWARD_NODE_ARGS="([^"]*)"/.exec(env)?.[1];
    expect(nodeArgs?.split(' ').filter(Boolean)).toEqual([...DEPLOYED_NODE_ARGS]);
    expect(ins(runtime, 'CMD')[0]?.args).toContain('exec node $STEWARD_NODE_ARGS ');
    // A V8 flag a later Node dropped would stop every container at start: node exits 9 on one it does not know.
    const code = await new Promise<number | null>((done) => spawn(process.execPath, [...DEPLOYED_NODE_ARGS, '-e', '0'], { stdio: 'ignore' }).on('exit', done));
    expect(code).toBe(0);
    const bad = await new Promise<number | null>((done) => spawn(process.execPath, ['--no-such-v8-flag-here', '-e', '0'], { stdio: 'ignore' }).on('exit', done));
    expect(bad).not.toBe(0);
  });

  it('runs the services compiled in a build stage, not their TypeScript sources', () => {
    const build = stages.find((s) => s.name === 'build');
    expect(build?.name).toBe('build');
    const run = ins(build as Stage, 'RUN')
      .map((i) => i.args)
      .join('\n');
    expect(run).toMatch(/pnpm install[^\n]*--frozen-lockfile/);
    expect(run).toMatch(/pnpm (run )?build\b/);
    const copiesDist = ins(runtime, 'COPY').some((c) =>
      /^--from=build\s+\/app\/dist\s+\/app\/dist$/.test(c.args),
    );
    expect(copiesDist).toBe(true);
  });

  it('makes servers listen on every interface (probes and other containers reach them)', () => {
    expect(ins(runtime, 'ENV').some((e) => /\bHOST=0\.0\.0\.0\b/.test(e.args))).toBe(true);
  });

  it('keeps node_modules, git data and env files out of the build context', () => {
    const ignored = readText('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const p of ['**/node_modules', '.git', '**/.env']) expect(ignored).toContain(p);
    // The install reads the lockfile and the workspace file: they must not be ignored.
    for (const p of ['pnpm-lock.yaml', 'pnpm-workspace.yaml', 'package.json', 'packages', 'services']) {
      expect(ignored).not.toContain(p);
    }
  });
});

describe('infra/docker/healthcheck.mjs', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  async function serve(status: number): Promise<{ port: number; paths: string[] }> {
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(status).end();
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { port: (server.address() as AddressInfo).port, paths };
  }

  function check(env: Record<string, string>): Promise<number | null> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [rootPath('infra/docker/healthcheck.mjs')], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: 'ignore',
      });
      child.on('error', reject);
      child.on('exit', (code) => resolve(code));
    });
  }

  it('asks a worker for /healthz on HEALTH_PORT and passes on 200', async () => {
    const { port, paths } = await serve(200);
    expect(await check({ SERVICE: 'tool-worker', HEALTH_PORT: String(port), PORT: '1' })).toBe(0);
    expect(paths).toEqual(['/healthz']);
  });

  it('asks an HTTP service on PORT', async () => {
    const { port, paths } = await serve(200);
    expect(await check({ SERVICE: 'ingress', PORT: String(port), HEALTH_PORT: '1' })).toBe(0);
    expect(paths).toEqual(['/healthz']);
  });

  it('asks the tracer on TRACER_PORT first', async () => {
    const { port, paths } = await serve(200);
    expect(await check({ SERVICE: 'tracer', TRACER_PORT: String(port), HEALTH_PORT: '1' })).toBe(0);
    expect(paths).toEqual(['/healthz']);
  });

  it('fails on an error status', async () => {
    const { port } = await serve(503);
    expect(await check({ SERVICE: 'shop', PORT: String(port) })).toBe(1);
  });

  it('fails when nothing listens', async () => {
    const { port } = await serve(200);
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
    expect(await check({ SERVICE: 'controller', HEALTH_PORT: String(port) })).toBe(1);
  });
});
