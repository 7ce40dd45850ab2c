// A tool turn's observe step is taken by the tool-worker that records the turn's last result:
// from that result to the next reasoning job no job goes through the control queue. Real Redis,
// real BullMQ queues, the real controller and tool-worker (test/helpers/control-harness.ts).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { jobIds, type ToolJob } from '@steward/core';
import { createKeys, createRedis } from '@steward/store';
import type { Redis } from 'ioredis';
import { startControlPlane, type ControlPlane } from '../helpers/control-harness.ts';
import { testTools } from '../helpers/test-tools.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('obsinplace');
const counters = `${prefix}:counters`;
let cp: ControlPlane;
let redis: Redis;

beforeAll(async () => {
  redis = createRedis(url);
  cp = await startControlPlane({ redisUrl: url, prefix, tools: testTools(redis, counters), requireConfirmation: false });
});
afterAll(async () => {
  await cp.close();
  await deletePrefix(url, prefix);
  redis.disconnect();
});

/** Every job of a query on the control queue, whatever its state (finished jobs are kept). */
async function controlJobsOf(queryId: string): Promise<string[]> {
  const jobs = await cp.queues.control.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed']);
  return jobs.flatMap((j) => (j?.id?.startsWith(`${queryId}:`) ? [j.id] : [])).sort();
}

describe('the observe step in the tool-worker', () => {
  it('takes a tool turn from its last result to the next reasoning job with no job on the control queue', async () => {
    // A DAG whose last result lands in place (2 runs in the job of 0) and one beside it (1).
    const run = await cp.runTurn([
      { name: 'work', arguments: { label: 'first', ms: 30 } },
      { name: 'work', arguments: { label: 'beside', ms: 10 } },
      { name: 'work', arguments: { label: 'after', ms: 10, after: ['$call:0'] } },
    ]);
    expect(run.events.map((e) => [e.index, e.ok])).toEqual([
      [0, true],
      [1, true],
      [2, true],
    ]);
    // The decide job is the only one the control queue saw for this query.
    expect(await controlJobsOf(run.queryId)).toEqual([jobIds.decide(run.queryId, 0)]);
    expect(await cp.queues.control.getJob(jobIds.observe(run.queryId, 0))).toBeUndefined();
    // The step is recorded once: one tool message per call, turn 1 reasoning, its job enqueued.
    const q = await cp.queries.get(run.queryId);
    expect(q).toMatchObject({ state: 'reasoning', turn: 1, toolCalls: 3 });
    const steps = await cp.queries.steps(run.queryId);
    expect(steps.filter((s) => s.role === 'tool').map((s) => s.content)).toEqual(['done:first', 'done:beside', 'done:after']);
    const next = await cp.queues.reasoning.getJob(jobIds.reason(run.queryId, 1));
    expect(next?.data).toEqual({ queryId: run.queryId, turn: 1 });
  });

  it("applies the step in the script that records the turn's last result (ADR 0041)", async () => {
    // MONITOR lists the commands a script runs (source 'lua') contiguously: nothing runs between
    // them. The record of the last result and the step's write of the query's state must be in
    // one such run; taken after the record, the step would be a second script.
    const monitor = await createRedis(url).monitor();
    const seen: { args: string[]; lua: boolean }[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => seen.push({ args, lua: source === 'lua' }));
    try {
      const single = await cp.runTurn([{ name: 'work', arguments: { label: 'single', ms: 5 } }]);
      // The last result lands in place (2 in the job of 0), after one recorded beside it (1).
      const dag = await cp.runTurn([
        { name: 'work', arguments: { label: 'dag-first', ms: 30 } },
        { name: 'work', arguments: { label: 'dag-beside', ms: 10 } },
        { name: 'work', arguments: { label: 'dag-after', ms: 10, after: ['$call:0'] } },
      ]);
      for (const [queryId, last] of [
        [single.queryId, 0],
        [dag.queryId, 2],
      ] as const) {
        expect(await cp.queries.get(queryId)).toMatchObject({ state: 'reasoning', turn: 1 });
        const runs = scriptRuns(seen);
        const recording = runs.filter((r) => r.some((a) => a[0]!.toLowerCase() === 'hsetnx' && a[1]!.includes(queryId) && a[2] === `r:${last}`));
        expect(recording).toHaveLength(1);
        const stepWrite = (a: string[]) => a[0]!.toLowerCase() === 'hset' && a[1] === createKeys(prefix).query(queryId) && a[2] === 'state' && a[3] === 'reasoning';
        expect(recording[0]!.some(stepWrite)).toBe(true);
        // And no other script wrote it.
        expect(runs.filter((r) => r.some(stepWrite))).toHaveLength(1);
      }
    } finally {
      monitor.disconnect();
    }
  });

  it('a repeated last call (a redelivery after its result was recorded) takes the step again and changes nothing', async () => {
    const run = await cp.runTurn([{ name: 'work', arguments: { label: 'once', ms: 5 } }]);
    const before = { q: await cp.queries.get(run.queryId), steps: await cp.queries.steps(run.queryId), history: await cp.queries.history(run.queryId) };
    // The same call again under another job id: BullMQ's redelivery of a job whose worker died
    // after recording its result (the real id is kept as completed, so it cannot be re-added;
    // BullMQ takes no further ':' in a custom id).
    const call = (await cp.queues.tools.getJob(jobIds.toolCall(run.queryId, 0, 0)))!.data as ToolJob;
    const again = await cp.queues.tools.add('tools', call, { jobId: `${run.queryId}-t0-c0-again` });
    await waitFinished(again.id!);
    expect(await redis.hget(counters, 'once')).toBe('1');
    expect(await cp.queries.get(run.queryId)).toEqual(before.q);
    expect(await cp.queries.steps(run.queryId)).toEqual(before.steps);
    expect(await cp.queries.history(run.queryId)).toEqual(before.history);
    expect(await controlJobsOf(run.queryId)).toEqual([jobIds.decide(run.queryId, 0)]);
  });

  it('loop detection still ends a looping query (the same kernel, now in the tool-worker)', async () => {
    // The same call with the same result three turns running: critical no-progress loop.
    const same = [{ name: 'work', arguments: { label: 'again', ms: 5 } }];
    const first = await cp.runTurn(same);
    await cp.continueTurn(first.queryId, 1, same);
    expect(await cp.queries.get(first.queryId)).toMatchObject({ status: 'running', state: 'reasoning', turn: 2 });
    await cp.continueTurn(first.queryId, 2, same);
    const q = await cp.queries.get(first.queryId);
    expect(q).toMatchObject({ status: 'failed', outcome: 'fallback', reason: 'loop_detected' });
    // The third turn's observations were recorded before the ending (the trace shows them).
    expect((await cp.queries.steps(first.queryId)).filter((s) => s.role === 'tool')).toHaveLength(3);
    // No observe job at any turn: the three decides only.
    expect(await controlJobsOf(first.queryId)).toEqual([0, 1, 2].map((t) => jobIds.decide(first.queryId, t)).sort());
    expect(await cp.queues.reasoning.getJob(jobIds.reason(first.queryId, 3))).toBeUndefined();
  });
});

/** The commands of each script run, in order: MONITOR's contiguous runs of commands from 'lua'. */
function scriptRuns(seen: readonly { args: string[]; lua: boolean }[]): string[][][] {
  const runs: string[][][] = [];
  let current: string[][] | undefined;
  for (const c of seen) {
    if (!c.lua) current = undefined;
    else (current ??= (runs.push([]), runs.at(-1)!)).push(c.args);
  }
  return runs;
}

async function waitFinished(jobId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const job = await cp.queues.tools.getJob(jobId);
    if (job && (await job.isCompleted())) return;
    if (job && (await job.isFailed())) throw new Error(`job ${jobId} failed: ${job.failedReason}`);
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not finish`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
