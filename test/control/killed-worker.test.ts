import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createRedis } from '@steward/store';
import type { Redis } from 'ioredis';
import { startControlPlane, type ControlPlane } from '../helpers/control-harness.ts';
import { testTools } from '../helpers/test-tools.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('kill');
const counters = `${prefix}:counters`;
const CHILD = fileURLToPath(new URL('../helpers/tool-worker-child.ts', import.meta.url));
let cp: ControlPlane;
let redis: Redis;
const children: ChildProcess[] = [];

function startChild(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CHILD], {
    env: { ...process.env, REDIS_URL: url, STEWARD_PREFIX: prefix, COUNTERS_KEY: counters },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => b.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`tool-worker child exited early (${code})`)));
  });
}

beforeAll(async () => {
  redis = createRedis(url);
  // The controller runs here; the tools run only in the child processes.
  cp = await startControlPlane({ redisUrl: url, prefix, tools: testTools(redis, counters), withToolWorker: false });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await cp.close();
  await deletePrefix(url, prefix);
  redis.disconnect();
});

describe('a tool-worker killed mid-DAG', () => {
  it('loses nothing: another worker takes the call over and the turn completes once', async () => {
    const first = await startChild();
    const turn = cp.runTurn(
      [
        { name: 'work', arguments: { label: 'slow', ms: 1500 } },
        { name: 'work', arguments: { label: 'then', ms: 5, after: ['$call:0'] } },
        { name: 'work', arguments: { label: 'quick', ms: 5 } },
      ],
      { timeoutMs: 40_000 },
    );
    // Kill the worker while the slow call is running (its start is counted before it sleeps).
    while ((await redis.hget(counters, 'slow')) !== '1') await new Promise((r) => setTimeout(r, 10));
    const killedAt = Date.now();
    first.kill('SIGKILL');
    await startChild();
    const run = await turn;
    expect(run.events.map((e) => [e.index, e.ok])).toEqual([
      [0, true],
      [1, true],
      [2, true],
    ]);
    // The killed call ran again on the new worker; its dependent ran once, after it.
    expect(await redis.hget(counters, 'slow')).toBe('2');
    expect(await redis.hget(counters, 'then')).toBe('1');
    expect(run.events[1]!.startMs).toBeGreaterThanOrEqual(run.events[0]!.endMs);
    // Observed once: exactly one tool message per call in the scratchpad, one turn advance.
    const tools = (await cp.queries.steps(run.queryId)).filter((s) => s.role === 'tool');
    expect(tools).toHaveLength(3);
    const q = await cp.queries.get(run.queryId);
    expect(q).toMatchObject({ state: 'reasoning', turn: 1, toolCalls: 3 });
    process.stderr.write(`[killed-worker] recovery after kill: ${run.events[0]!.startMs - killedAt} ms\n`);
  });
});
