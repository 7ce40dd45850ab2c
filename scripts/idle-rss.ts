// Resident memory of each worker role at idle, run from its sources and from its compiled build:
// start it against a private Redis, wait for /healthz and a few seconds more, read VmRSS (the
// process and its lock-keeper thread). The variants run alternated, one process at a time.
// See docs/BENCHMARKS.md, "Compiled JavaScript".
//
//   node scripts/idle-rss.ts [--rounds 2] [--settle-ms 5000] [--variants source,bundle,bundle+maps,modules,bundle-min]
//                            [--roles reasoning-worker,controller,tool-worker]
//
// source: services/<role>/src/main.ts. bundle: dist/<role>/main.mjs unminified (built here into .tmp/).
// bundle+maps: the same with --enable-source-maps. modules: only the workspace's code compiled,
// every node_modules package loaded as its own modules (BuildOptions.nodeModules = 'external').
// bundle-min: the bundle with whitespace and syntax minified, as `pnpm build` makes it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RedisServer, freePort } from '@steward/testing';
import { DEPLOYED_NODE_OPTIONS } from '../test/bench/cluster.ts';
import { ROOT, buildServices, mainOf } from './lib/build-services.ts';

const { values: a } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    'settle-ms': { type: 'string', default: '5000' },
    variants: { type: 'string', default: 'source,bundle,bundle+maps,modules' },
    roles: { type: 'string', default: 'reasoning-worker,controller,tool-worker' },
  },
});
const roles = a.roles.split(',');
const variants = a.variants.split(',');
mkdirSync(join(ROOT, '.tmp'), { recursive: true });
const tmp = mkdtempSync(join(ROOT, '.tmp', 'idle-rss-'));
const dists = { bundle: join(tmp, 'bundle'), modules: join(tmp, 'modules'), min: join(tmp, 'min') };
await buildServices(roles, { dist: dists.bundle, minify: false });
if (variants.includes('modules'))
  await buildServices(roles, { dist: dists.modules, nodeModules: 'external', minify: false });
if (variants.includes('bundle-min')) await buildServices(roles, { dist: dists.min, minify: true });
const redis = await RedisServer.start();

function entry(variant: string, role: string): { file: string; nodeOptions: string } {
  if (variant === 'source') return { file: mainOf(role, false), nodeOptions: DEPLOYED_NODE_OPTIONS };
  if (variant === 'modules')
    return { file: mainOf(role, true, dists.modules), nodeOptions: DEPLOYED_NODE_OPTIONS };
  if (variant === 'bundle-min')
    return { file: mainOf(role, true, dists.min), nodeOptions: DEPLOYED_NODE_OPTIONS };
  const maps = variant === 'bundle+maps' ? ' --enable-source-maps' : '';
  return { file: mainOf(role, true, dists.bundle), nodeOptions: DEPLOYED_NODE_OPTIONS + maps };
}

async function idleRss(variant: string, role: string): Promise<number> {
  const port = await freePort();
  const { file, nodeOptions } = entry(variant, role);
  const child = spawn(process.execPath, [file], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: redis.url,
      REDIS_PREFIX: '{idle-rss}',
      LOG_LEVEL: 'warn',
      HEALTH_PORT: String(port),
      NODE_OPTIONS: nodeOptions,
    },
    stdio: 'ignore',
  });
  try {
    for (let up = false; !up;) {
      if (child.exitCode !== null) throw new Error(`${role} (${variant}) exited with ${child.exitCode}`);
      up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, Number(a['settle-ms'])));
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
    return Math.round(kb / 102.4) / 10;
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

const rows: Record<string, Record<string, number[]>> = {};
try {
  for (let round = 0; round < Number(a.rounds); round++) {
    for (const role of roles) {
      for (const variant of variants) {
        const mb = await idleRss(variant, role);
        ((rows[role] ??= {})[variant] ??= []).push(mb);
        process.stderr.write(`[idle-rss] round ${round + 1} ${role} ${variant}: ${mb} MB\n`);
      }
    }
  }
} finally {
  await redis.stop();
  rmSync(tmp, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(rows)}\n`);
