// The DAG bench's end-of-turn watcher on a real Redis, real queues and the real step: it must
// fire only once the turn's observe step has committed and relayed the next turn, for the query
// it waits for, without polling.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { jobIds, newConversationId, newQueryId, newTraceId } from '@steward/core';
import { createRedis, emitEvent, openStore, type StoreContext } from '@steward/store';
import { decideWhereProposed, stepDeps, type StepDeps } from '@steward/steps';
import { ToolRegistry } from '@steward/tools';
import { createLogger } from '@steward/telemetry';
import type { Redis } from 'ioredis';
import { startControlPlane, type ControlPlane } from '../helpers/control-harness.ts';
import { testTools } from '../helpers/test-tools.ts';
import { TurnDoneWatcher } from './turn-done.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('turndone');
let redis: Redis;
let cp: ControlPlane;
let store: StoreContext;
let steps: StepDeps;
let watcher: TurnDoneWatcher;

beforeAll(async () => {
  redis = createRedis(url);
  const tools = testTools(redis, `${prefix}:counters`);
  cp = await startControlPlane({ redisUrl: url, prefix, tools });
  store = openStore(url, prefix);
  steps = stepDeps(store, new ToolRegistry(tools), createLogger({ service: 'test', level: 'warn' }), { requireConfirmation: false });
  watcher = await TurnDoneWatcher.start(url, prefix);
});
afterAll(async () => {
  await watcher.close();
  await store.close();
  await cp.close();
  await deletePrefix(url, prefix);
  redis.disconnect();
});

async function acceptQuery(): Promise<string> {
  const queryId = newQueryId();
  await cp.queries.accept({ queryId, conversationId: newConversationId(), channel: 'api', text: 'test', language: 'en', traceId: newTraceId(), createdMs: Date.now() }, 60_000);
  return queryId;
}

describe('TurnDoneWatcher', () => {
  it('fires when a turn decided in place has run its DAG and its observe step queued the next turn', async () => {
    const queryId = await acceptQuery();
    const known = (await cp.queries.get(queryId))!;
    const done = watcher.wait(queryId, 0, 20_000);
    const t0 = Date.now();
    const r = await decideWhereProposed(steps, known, {
      queryId,
      turn: 0,
      proposal: {
        kind: 'tool_calls',
        calls: [
          { id: 'call_0_0', name: 'work', arguments: { label: 'a', ms: 60 } },
          { id: 'call_0_1', name: 'work', arguments: { label: 'b', ms: 30, after: ['$call:0'] } },
        ],
      },
    });
    expect(r).toBe('applied');
    const end = await done;
    expect(end.how).toBe('next_turn');
    // Not before the chain of 60 + 30 ms could have run, and stamped no later than it was read.
    expect(end.atMs - t0).toBeGreaterThanOrEqual(90);
    expect(end.atMs).toBeLessThanOrEqual(end.seenMs);
    // By then the step has committed: the query reasons at turn 1 and that job is on its queue.
    const q = await cp.queries.get(queryId);
    expect({ state: q?.state, turn: q?.turn }).toEqual({ state: 'reasoning', turn: 1 });
    expect(await cp.queues.reasoning.getJob(jobIds.reason(queryId, 1))).toBeDefined();
  });

  it('fires on the query completing, for that query only', async () => {
    const [a, b] = [newQueryId(), newQueryId()];
    const waitA = watcher.wait(a, 0, 20_000);
    let bDone = false;
    const waitB = watcher.wait(b, 0, 1_500).then(
      () => (bDone = true),
      () => false,
    );
    await emitEvent(redis, store.keys, {
      id: `${a}:completed`,
      type: 'query.completed',
      queryId: a,
      data: { outcome: 'answered', reason: 'answered', rootSpanId: 'r', startMs: 1, endMs: 2, turns: 1, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, language: 'en' },
    });
    expect((await waitA).how).toBe('completed');
    expect(await waitB).toBe(false);
    expect(bDone).toBe(false);
  });

  it('counts an end written before the wait began (the race of a fast turn)', async () => {
    const queryId = newQueryId();
    // Only the job id matters to the watcher; another turn's job is not this turn's end.
    await cp.queues.reasoning.add('reasoning', { queryId, turn: 2 }, { jobId: jobIds.reason(queryId, 2) });
    await cp.queues.reasoning.add('reasoning', { queryId, turn: 1 }, { jobId: jobIds.reason(queryId, 1) });
    await new Promise((r) => setTimeout(r, 200));
    const end = await watcher.wait(queryId, 0, 2_000);
    expect(end.how).toBe('next_turn');
    expect(end.atMs).toBeLessThan(end.seenMs + 1);
  });
});
