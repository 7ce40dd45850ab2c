import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { openStore, readQueryEvents, type StoreContext } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { stepDeps, type StepDeps } from '@steward/steps';
import { sweepOnce } from './sweeper.ts';

// The sweeper on a real Redis and real queues: a query whose jobs were all lost still ends at
// its deadline, and its conversation's queued message starts.
const url = inject('redisUrl');
const prefix = uniquePrefix('sweep');
let store: StoreContext;
let d: StepDeps;

beforeAll(() => {
  store = openStore(url, prefix);
  d = stepDeps(store, new ToolRegistry([]), createLogger({ service: 'test', level: 'warn' }));
});
afterAll(async () => {
  await store.close();
  await deletePrefix(url, prefix);
});

const query = (queryId: string, createdMs: number) => ({
  queryId,
  conversationId: 'c_sweep',
  channel: 'api',
  text: `message ${queryId}`,
  language: 'en' as const,
  traceId: 'a'.repeat(32),
  createdMs,
});

describe('sweepOnce', () => {
  it('ends a query past its deadline whose jobs were lost, and starts the queued one', async () => {
    const t0 = Date.now() - 60_000;
    const first = await store.queries.accept(query('q_lost', t0), 10_000, t0);
    const second = await store.queries.accept(query('q_next', t0 + 1), 10_000, t0 + 1);
    expect([first.kind, second.kind]).toEqual(['start', 'queued']);
    // The jobs of the first query are lost: drop them from the outbox without relaying.
    await store.redis.del(store.keys.outbox);

    const r = await sweepOnce(d, { intervalMs: 1_000, outboxGraceMs: 1_000, deadlineGraceMs: 1_000, handoffSlaMs: 3_600_000, handoffRetentionMs: 3_600_000 });
    expect(r.ended).toBe(1);
    expect(await store.queries.get('q_lost')).toMatchObject({ status: 'failed', reason: 'deadline', state: 'failed' });
    expect((await readQueryEvents(store.redis, store.keys, 'q_lost')).filter((e) => e.type === 'query.completed')).toHaveLength(1);
    // The next message runs, with its turn 0 enqueued (relayed by the completion).
    expect(await store.queries.get('q_next')).toMatchObject({ status: 'running', state: 'reasoning' });
    expect(await store.queues.reasoning.getJob('q_next:t0:reason')).toBeTruthy();
    expect(await store.redis.zscore(store.keys.deadlines, 'q_lost')).toBeNull();
  });

  it('relays what a crash left in the outbox, once, and only one sweeper works per interval', async () => {
    const now = Date.now();
    const s = await store.queries.accept({ ...query('q_orphan', now - 5_000), conversationId: 'c_orphan' }, 30_000, now - 5_000);
    if (s.kind !== 'start') throw new Error(s.kind);
    // What an older release's accept left when its process died before the relay (this release's
    // accept adds the job itself, ADR 0040): the turn 0 job only in the outbox.
    await store.queues.reasoning.remove('q_orphan:t0:reason');
    const entry = JSON.stringify({ queue: 'reasoning', jobId: 'q_orphan:t0:reason', data: { queryId: 'q_orphan', turn: 0 } });
    await store.redis.zadd(store.keys.outbox, now - 5_000, entry);
    expect(await store.queues.reasoning.getJob('q_orphan:t0:reason')).toBeUndefined();
    await store.redis.del(store.keys.sweeperLease);
    const [a, b] = await Promise.all([sweepOnce(d, { intervalMs: 1_000, outboxGraceMs: 1_000, deadlineGraceMs: 1_000, handoffSlaMs: 3_600_000, handoffRetentionMs: 3_600_000 }), sweepOnce(d, { intervalMs: 1_000, outboxGraceMs: 1_000, deadlineGraceMs: 1_000, handoffSlaMs: 3_600_000, handoffRetentionMs: 3_600_000 })]);
    // One entry, relayed by one of the two sweepers.
    expect(a.relayed + b.relayed).toBe(1);
    expect(await store.queues.reasoning.getJob('q_orphan:t0:reason')).toBeTruthy();
    expect(await store.outbox.size()).toBe(0);
  });
});
