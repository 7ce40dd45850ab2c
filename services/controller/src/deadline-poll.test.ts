import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { Deadlines, openStore, readQueryEvents, type StoreContext } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { stepDeps, type StepDeps } from '@steward/steps';
import { endDueQueries, startDeadlinePoll } from './deadline-poll.ts';

// The deadline poll on a real Redis (ADR 0027): the `deadlines` set is the only timer of a
// query's deadline, so these prove what the delayed deadline job used to: a due query ends
// once with the deadline fallback, whoever polls and however many poll at once, and a poller
// killed after claiming loses nothing.
const url = inject('redisUrl');
const prefix = uniquePrefix('deadline-poll');
let store: StoreContext;
let d: StepDeps;
const O = { claimMs: 3_000, batch: 100 };

beforeAll(() => {
  store = openStore(url, prefix);
  d = stepDeps(store, new ToolRegistry([]), createLogger({ service: 'test', level: 'error' }));
});
afterAll(async () => {
  await store.close();
  await deletePrefix(url, prefix);
});

/** Start a query now whose deadline is `deadlineMs` after `startMs`; returns its deadline. */
async function started(queryId: string, startMs: number, deadlineMs: number): Promise<number> {
  const q = { queryId, conversationId: `c_${queryId}`, channel: 'api', text: `message ${queryId}`, language: 'en' as const, traceId: 'b'.repeat(32), createdMs: startMs };
  const r = await store.queries.accept(q, deadlineMs, startMs);
  if (r.kind !== 'start') throw new Error(r.kind);
  return startMs + deadlineMs;
}

async function completions(queryId: string): Promise<number> {
  return (await readQueryEvents(store.redis, store.keys, queryId)).filter((e) => e.type === 'query.completed').length;
}

describe('endDueQueries', () => {
  it('ends a due query with the deadline fallback and removes its entry; one not yet due is left as it was', async () => {
    const now = Date.now();
    const due = await started('q_due', now - 5_000, 4_000);
    const later = await started('q_later', now, 30_000);
    const r = await endDueQueries(d, O, now, now);
    expect(r).toEqual({ claimed: 1, ended: 1 });
    expect(due).toBeLessThan(now);
    expect(await store.queries.get('q_due')).toMatchObject({ status: 'failed', outcome: 'fallback', reason: 'deadline' });
    expect(await completions('q_due')).toBe(1);
    expect(await store.redis.zscore(store.keys.deadlines, 'q_due')).toBeNull();
    expect(await store.redis.zscore(store.keys.deadlines, 'q_later')).toBe(String(later));
    expect((await store.queries.get('q_later'))?.status).toBe('running');
  });

  it('two controllers polling at the same moment: one claims the query, it ends once', async () => {
    const now = Date.now();
    await started('q_race', now - 5_000, 1_000);
    const [a, b] = await Promise.all([endDueQueries(d, O, now, now), endDueQueries(d, O, now, now)]);
    expect(a.claimed + b.claimed).toBe(1);
    expect(a.ended + b.ended).toBe(1);
    expect(await completions('q_race')).toBe(1);
  });

  it('a poller killed after its claim loses nothing: the entry is due again when the claim runs out', async () => {
    const now = Date.now();
    await started('q_orphaned', now - 5_000, 1_000);
    // The dead poller's claim (the script it ran before the kill).
    expect(await new Deadlines(store.redis, store.keys).claimDue(now, now + O.claimMs, O.batch)).toEqual(['q_orphaned']);
    expect(await store.redis.zscore(store.keys.deadlines, 'q_orphaned')).toBe(String(now + O.claimMs));
    // Hidden from the others while claimed…
    expect(await endDueQueries(d, O, now + 100, now + 100)).toEqual({ claimed: 0, ended: 0 });
    expect((await store.queries.get('q_orphaned'))?.status).toBe('running');
    // …and ended by the first poll after the claim ran out.
    expect(await endDueQueries(d, O, now + O.claimMs, now + O.claimMs)).toEqual({ claimed: 1, ended: 1 });
    expect(await store.queries.get('q_orphaned')).toMatchObject({ status: 'failed', reason: 'deadline' });
    expect(await completions('q_orphaned')).toBe(1);
  });

  it('drops an entry whose query ended or is gone, without ending anything', async () => {
    const now = Date.now();
    await store.redis.zadd(store.keys.deadlines, now - 1_000, 'q_vanished');
    expect(await endDueQueries(d, O, now, now)).toEqual({ claimed: 1, ended: 0 });
    expect(await store.redis.zscore(store.keys.deadlines, 'q_vanished')).toBeNull();
  });

  it('a query that cannot be ended does not hold back the others of the pass: it stays claimed, to be retried', async () => {
    const now = Date.now();
    // A record that fails its schema (an unreadable hash): loading it throws.
    await store.redis.hset(store.keys.query('q_broken'), { queryId: 'q_broken', status: 'running', turn: 'not a number' });
    // Due first, so the pass meets it before the good one.
    await store.redis.zadd(store.keys.deadlines, now - 10_000, 'q_broken');
    await started('q_fine', now - 5_000, 2_500);
    expect(await endDueQueries(d, O, now, now)).toEqual({ claimed: 2, ended: 1 });
    expect((await store.queries.get('q_fine'))?.status).toBe('failed');
    expect(await store.redis.zscore(store.keys.deadlines, 'q_broken')).toBe(String(now + O.claimMs));
    await store.redis.zrem(store.keys.deadlines, 'q_broken');
  });

  it('works at most `batch` queries per pass, earliest deadline first', async () => {
    const now = Date.now();
    for (const [i, id] of ['q_b1', 'q_b2', 'q_b3'].entries()) await started(id, now - 10_000 + i, 1_000);
    expect(await endDueQueries(d, { ...O, batch: 2 }, now, now)).toEqual({ claimed: 2, ended: 2 });
    expect((await store.queries.get('q_b1'))?.status).toBe('failed');
    expect((await store.queries.get('q_b2'))?.status).toBe('failed');
    expect((await store.queries.get('q_b3'))?.status).toBe('running');
    expect(await endDueQueries(d, { ...O, batch: 2 }, now, now)).toEqual({ claimed: 1, ended: 1 });
  });
});

describe('startDeadlinePoll', () => {
  it('ends a query within about one poll interval of its deadline', async () => {
    const poll = startDeadlinePoll(d, { intervalMs: 50, claimMs: 3_000, batch: 100 });
    try {
      const deadline = await started('q_timely', Date.now(), 300);
      let q = await store.queries.get('q_timely');
      while (q?.status === 'running' && Date.now() < deadline + 5_000) {
        await new Promise((r) => setTimeout(r, 10));
        q = await store.queries.get('q_timely');
      }
      expect(q).toMatchObject({ status: 'failed', reason: 'deadline' });
      expect(q!.completedMs! - deadline).toBeGreaterThanOrEqual(0);
      // One interval (50 ms) plus the pass's own work; generous for a loaded shared machine.
      expect(q!.completedMs! - deadline).toBeLessThan(500);
    } finally {
      await poll.stop();
    }
  });
});
