import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { jobIds } from '@steward/core';
import { createKeys, createRedis, readQueryEvents } from '@steward/store';
import type { Redis } from 'ioredis';
import { startControlPlane, type ControlPlane } from '../helpers/control-harness.ts';
import { testTools } from '../helpers/test-tools.ts';

// A tool-worker that is not dead but stopped (SIGSTOP: a VM paused, a process swapped out, a
// container frozen) for longer than its job lock: its job is taken over by another worker
// (BullMQ's stalled check), and then the stopped one wakes up (SIGCONT) and carries on where it
// was. The call it was running when stopped may execute twice (the same idempotency key both
// times: that is what the key is for). Nothing it had not started yet may execute twice, every
// result is recorded once and the turn is observed once.
const url = inject('redisUrl');
const prefix = uniquePrefix('stop');
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
  cp = await startControlPlane({ redisUrl: url, prefix, tools: testTools(redis, counters), withToolWorker: false });
});
afterAll(async () => {
  for (const c of children) {
    c.kill('SIGCONT');
    c.kill('SIGKILL');
  }
  await cp.close();
  await deletePrefix(url, prefix);
  redis.disconnect();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function counted(label: string, n: number, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Number((await redis.hget(counters, label)) ?? 0) < n) {
    if (Date.now() > end) throw new Error(`${label} never reached ${n}`);
    await sleep(10);
  }
}

describe('a tool-worker stopped past its lock, then continued', () => {
  it('its job is taken over; once awake it runs no call it had not started, and the turn is observed once', async () => {
    const stopped = await startChild();
    const turn = cp.runTurn(
      [
        { name: 'work', arguments: { label: 'st-own', ms: 1500 } },
        { name: 'work', arguments: { label: 'st-dep', ms: 1500, after: ['$call:0'] } },
      ],
      { timeoutMs: 60_000 },
    );
    await counted('st-own', 1);
    stopped.kill('SIGSTOP');
    // Another worker takes call 0's job over once the lock lapses, runs call 0 again and then its
    // dependent in place (claimed by call 0's job).
    await startChild();
    await counted('st-dep', 1);
    // The stopped worker wakes while the dependent runs on the other: its own call 0 ends at once
    // (its sleep is long over) and its recording finds the result already there.
    stopped.kill('SIGCONT');
    const run = await turn;
    // Let the woken worker finish whatever it does next.
    await sleep(3_000);
    expect(run.events.map((e) => [e.index, e.ok])).toEqual([
      [0, true],
      [1, true],
    ]);
    // Call 0 was running when its worker stopped: twice is the design (same idempotency key).
    expect(await redis.hget(counters, 'st-own')).toBe('2');
    // The dependent had not started in the stopped worker: it must run once.
    expect(await redis.hget(counters, 'st-dep')).toBe('1');
    const tools = (await cp.queries.steps(run.queryId)).filter((s) => s.role === 'tool');
    expect(tools).toHaveLength(2);
    expect(await cp.queries.get(run.queryId)).toMatchObject({ state: 'reasoning', turn: 1, toolCalls: 2 });
    const events = (await readQueryEvents(redis, createKeys(prefix), run.queryId)).filter((e) => e.type === 'tool.call');
    expect(events).toHaveLength(2);
    // Taken over exactly once (BullMQ's stalled counter), and finished by the new holder: the
    // woken worker's finish was refused (its lock gone), so the job is completed, not failed.
    const own = await cp.queues.tools.getJob(jobIds.toolCall(run.queryId, 0, 0));
    expect(await redis.hget(cp.queues.tools.toKey(own!.id!), 'stc')).toBe('1');
    expect(await own!.getState()).toBe('completed');
  }, 90_000);
});
