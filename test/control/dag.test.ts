import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { jobIds } from '@steward/core';
import { createKeys, createRedis, ToolSlots } from '@steward/store';
import type { Redis } from 'ioredis';
import { startControlPlane, type ControlPlane } from '../helpers/control-harness.ts';
import { testTools } from '../helpers/test-tools.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('dag');
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

describe('tool DAG of a turn on real queues', () => {
  it('starts each call only after its own dependencies, and overlaps independent calls', async () => {
    // 0 (1.5 s) ─► 2 (50 ms)
    // 1 (30 ms) ─► 3 (40 ms) ─► 4 needs 2 and 3
    // `a` is long so that "d starts while a still runs" holds with a wide margin on a loaded machine.
    const run = await cp.runTurn([
      { name: 'work', arguments: { label: 'a', ms: 1500 } },
      { name: 'work', arguments: { label: 'b', ms: 30 } },
      { name: 'work', arguments: { label: 'c', ms: 50, after: ['$call:0'] } },
      { name: 'work', arguments: { label: 'd', ms: 40, after: ['$call:1'] } },
      { name: 'work', arguments: { label: 'e', ms: 10, after: ['$call:2', '$call:3'] } },
    ]);
    const [a, b, c, d, e] = run.events;
    expect(run.events.map((x) => x.ok)).toEqual([true, true, true, true, true]);
    expect(c!.startMs).toBeGreaterThanOrEqual(a!.endMs);
    expect(d!.startMs).toBeGreaterThanOrEqual(b!.endMs);
    expect(e!.startMs).toBeGreaterThanOrEqual(Math.max(c!.endMs, d!.endMs));
    // Independent calls overlap: a and b run at the same time.
    expect(b!.startMs).toBeLessThan(a!.endMs);
    // Not layer by layer: d starts as soon as b ends, while a is still running.
    expect(d!.startMs).toBeLessThan(a!.endMs);
  });

  it("starts the turn's roots together: the first root's job claims the others and runs them beside its call", async () => {
    const run = await cp.runTurn([
      { name: 'work', arguments: { label: 'r0', ms: 200 } },
      { name: 'work', arguments: { label: 'r1', ms: 200 } },
      { name: 'work', arguments: { label: 'r2', ms: 200 } },
      { name: 'work', arguments: { label: 'r3', ms: 200 } },
    ]);
    expect(run.events.map((e) => e.ok)).toEqual([true, true, true, true]);
    for (const l of ['r0', 'r1', 'r2', 'r3']) expect(await redis.hget(counters, l)).toBe('1');
    // One job ran them all; the others found their call claimed by it and left it.
    const jobs = await Promise.all([0, 1, 2, 3].map((i) => cp.queues.tools.getJob(jobIds.toolCall(run.queryId, 0, i))));
    const left = jobs.filter((j) => j?.returnvalue && typeof j.returnvalue === 'object' && 'leftTo' in j.returnvalue);
    expect(left).toHaveLength(3);
    const claimant = jobs.find((j) => !left.includes(j))!;
    expect(left.map((j) => (j!.returnvalue as { leftTo: number }).leftTo)).toEqual([0, 0, 0].map(() => (claimant.data as { index: number }).index));
    // All four overlap.
    const starts = run.events.map((e) => e.startMs);
    expect(Math.max(...starts)).toBeLessThan(Math.min(...run.events.map((e) => e.endMs)));
  });

  it("runs the seed case: inventory and shipping in parallel after the product lookup", async () => {
    const run = await cp.runTurn([
      { name: 'get_product_info', arguments: { product_id: 'p1' } },
      { name: 'check_inventory', arguments: { product_id: 'p1' } },
      { name: 'calculate_shipping', arguments: { product_id: 'p1', zip: '10001' } },
    ]);
    const [info, inv, ship] = run.events;
    expect(inv!.startMs).toBeGreaterThanOrEqual(info!.endMs);
    expect(ship!.startMs).toBeGreaterThanOrEqual(info!.endMs);
    expect(inv!.startMs).toBeLessThan(ship!.endMs);
    expect(ship!.startMs).toBeLessThan(inv!.endMs);
  });

  it('gives the dependents of a failed call an error result instead of a hang', async () => {
    const run = await cp.runTurn([
      { name: 'work', arguments: { label: 'boom', ms: 5, fail: true } },
      { name: 'work', arguments: { label: 'after-boom', ms: 5, after: ['$call:0'] } },
      { name: 'work', arguments: { label: 'free', ms: 5 } },
    ]);
    expect(run.events.map((e) => e.ok)).toEqual([false, false, true]);
    expect(await redis.hget(counters, 'after-boom')).toBeNull();
    const steps = await cp.queries.steps(run.queryId);
    const toolMsgs = steps.filter((s) => s.role === 'tool');
    expect(toolMsgs).toHaveLength(3);
    expect(toolMsgs[1]!.content).toMatch(/^Error: /);
  });

  it('answers an unknown tool without running it, and still runs the valid call beside it', async () => {
    const run = await cp.runTurn([
      { name: 'teleport_parcel', arguments: {}, error: 'Unknown tool teleport_parcel. Did you mean: work?', errorType: 'unknown_tool' },
      { name: 'work', arguments: { label: 'beside-unknown', ms: 1 } },
    ]);
    expect(run.events).toHaveLength(1);
    expect(run.events[0]!.index).toBe(1);
    const tool = (await cp.queries.steps(run.queryId)).filter((s) => s.role === 'tool');
    expect(tool.map((t) => t.content)).toEqual(['Unknown tool teleport_parcel. Did you mean: work?', 'done:beside-unknown']);
  });
});

describe('per-tool concurrency cap', () => {
  it('never runs two calls of a capped tool at once, even when they are independent', async () => {
    const run = await cp.runTurn([
      { name: 'capped', arguments: { label: 'x' } },
      { name: 'capped', arguments: { label: 'y' } },
      { name: 'capped', arguments: { label: 'z' } },
    ]);
    expect(run.events.map((e) => e.ok)).toEqual([true, true, true]);
    const spans = run.events.map((e) => [e.startMs, e.endMs] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });
});

describe('a released dependent that cannot run in place', () => {
  it("gets its own job when its tool's cap is full, and runs once the slot frees", async () => {
    // Another holder keeps the capped tool's only slot for 300 ms.
    const slots = new ToolSlots(redis, createKeys(prefix));
    expect(await slots.acquire('capped', 'someone-else', 1, 5_000)).toBe(true);
    let freedAt = 0;
    const free = new Promise<void>((resolve) =>
      setTimeout(() => {
        freedAt = Date.now();
        void slots.release('capped', 'someone-else').then(resolve);
      }, 300),
    );
    const run = await cp.runTurn([
      { name: 'work', arguments: { label: 'before-capped', ms: 5 } },
      { name: 'capped', arguments: { label: '$call:0' } },
    ]);
    await free;
    expect(run.events.map((e) => [e.index, e.ok])).toEqual([
      [0, true],
      [1, true],
    ]);
    // Released in place, it found the cap full and was enqueued as a job of its own.
    expect(await cp.queues.tools.getJob(jobIds.toolCall(run.queryId, 0, 1))).toBeDefined();
    expect(run.events[1]!.startMs).toBeGreaterThanOrEqual(freedAt);
    expect(await redis.hget(counters, 'capped:done:before-capped')).toBe('1');
  });
});

describe('tool-result cache', () => {
  it('runs identical concurrent reads once (single-flight) and serves the next from cache', async () => {
    const run = await cp.runTurn([
      { name: 'lookup', arguments: { key: 'k1' } },
      { name: 'lookup', arguments: { key: 'k1' } },
    ]);
    expect(await redis.hget(counters, 'lookup:k1')).toBe('1');
    expect(run.events.map((e) => e.cacheHit).sort()).toEqual([false, true]);
    const again = await cp.runTurn([{ name: 'lookup', arguments: { key: 'k1' } }]);
    expect(again.events[0]!.cacheHit).toBe(true);
    expect(await redis.hget(counters, 'lookup:k1')).toBe('1');
  });

  it('drops cached reads of an item when a write touches it', async () => {
    await cp.runTurn([{ name: 'lookup', arguments: { key: 'k2' } }]);
    await cp.runTurn([{ name: 'update', arguments: { key: 'k2' } }]);
    const after = await cp.runTurn([{ name: 'lookup', arguments: { key: 'k2' } }]);
    expect(after.events[0]!.cacheHit).toBe(false);
    expect(await redis.hget(counters, 'lookup:k2')).toBe('2');
  });
});
