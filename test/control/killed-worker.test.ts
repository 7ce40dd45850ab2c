import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { jobIds } from '@steward/core';
import { createKeys, createRedis, readQueryEvents } from '@steward/store';
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

  it('a dependent run in place by the killed worker runs again once, and what follows it once', async () => {
    // Only one live worker, so the chain below runs in the job of call 0 on it.
    for (const c of children) c.kill('SIGKILL');
    const first = await startChild();
    const turn = cp.runTurn(
      [
        { name: 'work', arguments: { label: 'ip-first', ms: 5 } },
        { name: 'work', arguments: { label: 'ip-second', ms: 5, after: ['$call:0'] } },
        { name: 'work', arguments: { label: 'ip-slow', ms: 1500, after: ['$call:1'] } },
        { name: 'work', arguments: { label: 'ip-tail', ms: 5, after: ['$call:2'] } },
      ],
      { timeoutMs: 40_000 },
    );
    while ((await redis.hget(counters, 'ip-slow')) !== '1') await new Promise((r) => setTimeout(r, 10));
    // Released by call 1, itself released by call 0, it runs in place: neither has a job of its
    // own (call 0's job carries the chain), and call 0's result is recorded, so only the claim
    // that job holds on call 2 brings it back.
    const queryId = await activeQuery();
    expect(await cp.queues.tools.getJob(jobIds.toolCall(queryId, 0, 1))).toBeUndefined();
    expect(await cp.queues.tools.getJob(jobIds.toolCall(queryId, 0, 2))).toBeUndefined();
    first.kill('SIGKILL');
    await startChild();
    const run = await turn;
    expect(run.events.map((e) => [e.index, e.ok])).toEqual([
      [0, true],
      [1, true],
      [2, true],
      [3, true],
    ]);
    // Call 0's job came back (its result recorded) and enqueued the claimed call it left unfinished.
    expect(await redis.hget(counters, 'ip-first')).toBe('1');
    expect(await redis.hget(counters, 'ip-second')).toBe('1');
    expect(await redis.hget(counters, 'ip-slow')).toBe('2');
    expect(await redis.hget(counters, 'ip-tail')).toBe('1');
    expect(run.events[3]!.startMs).toBeGreaterThanOrEqual(run.events[2]!.endMs);
    const tools = (await cp.queries.steps(run.queryId)).filter((s) => s.role === 'tool');
    expect(tools).toHaveLength(4);
    expect(await cp.queries.get(run.queryId)).toMatchObject({ state: 'reasoning', turn: 1, toolCalls: 4 });
    const events = (await readQueryEvents(redis, createKeys(prefix), run.queryId)).filter((e) => e.type === 'tool.call');
    expect(events).toHaveLength(4);
  });

  // Call 0's job claims root 1 and runs it in place. Killed after call 0's own result was recorded,
  // the job's redelivery finds its result and repeats the release (DAG_COMPLETE), which returns the
  // claimed root; killed while call 0 itself ran too, it runs call 0 again and its start script
  // (DAG_START) returns the claimed root. Either way the root is enqueued under its claimed id.
  it.each([
    { when: 'after the claimant recorded its own result', label: 'sib', ownMs: 5, ownRuns: '1' },
    { when: 'while the claimant still ran its own call', label: 'sib2', ownMs: 1500, ownRuns: '2' },
  ])("a sibling root run in place by the killed worker's job runs again once, under its own id ($when)", async ({ label, ownMs, ownRuns }) => {
    for (const c of children) c.kill('SIGKILL');
    const first = await startChild();
    const turn = cp.runTurn(
      [
        { name: 'work', arguments: { label: `${label}-first`, ms: ownMs } },
        { name: 'work', arguments: { label: `${label}-slow`, ms: 1500 } },
        { name: 'work', arguments: { label: `${label}-after`, ms: 5, after: ['$call:1'] } },
      ],
      { timeoutMs: 40_000 },
    );
    while ((await redis.hget(counters, `${label}-slow`)) !== '1') await new Promise((r) => setTimeout(r, 10));
    const queryId = await activeQuery(`${label}-first`);
    const dag = createKeys(prefix).dag(queryId, 0);
    // Call 0's job started first and claimed root 1 (DAG_START), which runs in place beside it;
    // root 1's own job found it claimed and left it.
    expect(await redis.hmget(dag, 'k:0', 'k:1', 's:1')).toEqual(['0', '0', '1']);
    const own = await until(async () => {
      const j = await cp.queues.tools.getJob(jobIds.toolCall(queryId, 0, 1));
      return j?.finishedOn ? j : undefined;
    });
    expect(own.returnvalue).toEqual({ leftTo: 0 });
    if (ownRuns === '1') await until(async () => ((await redis.hexists(dag, 'r:0')) === 1 ? true : undefined));
    expect(await redis.hexists(dag, 'r:0')).toBe(ownRuns === '1' ? 1 : 0);
    expect(await redis.hexists(dag, 'r:1')).toBe(0);
    first.kill('SIGKILL');
    await startChild();
    const run = await turn;
    expect(run.events.map((e) => [e.index, e.ok])).toEqual([
      [0, true],
      [1, true],
      [2, true],
    ]);
    expect(await redis.hget(counters, `${label}-first`)).toBe(ownRuns);
    expect(await redis.hget(counters, `${label}-slow`)).toBe('2');
    expect(await redis.hget(counters, `${label}-after`)).toBe('1');
    expect(await cp.queues.tools.getJob(`${queryId}:t0:k1`)).toBeDefined();
    expect(run.events[2]!.startMs).toBeGreaterThanOrEqual(run.events[1]!.endMs);
    // Observed once: one tool message per call, one turn advance, one event per call.
    const tools = (await cp.queries.steps(run.queryId)).filter((s) => s.role === 'tool');
    expect(tools).toHaveLength(3);
    expect(await cp.queries.get(run.queryId)).toMatchObject({ state: 'reasoning', turn: 1, toolCalls: 3 });
    const events = (await readQueryEvents(redis, createKeys(prefix), run.queryId)).filter((e) => e.type === 'tool.call');
    expect(events).toHaveLength(3);
  });
});

async function until<T>(f: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The query whose call labelled `label` has a job in this test's prefix (its turn still running). */
async function activeQuery(label = 'ip-first'): Promise<string> {
  const active = await cp.queues.tools.getJobs(['completed', 'active'], 0, 50);
  const job = active.find((j) => (j.data as { arguments?: { label?: string } }).arguments?.label === label);
  if (!job) throw new Error('call 0 has no job');
  return (job.data as { queryId: string }).queryId;
}
