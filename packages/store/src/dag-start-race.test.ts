import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { createRedis } from './redis.ts';
import { DagStore, type DagStart } from './dag.ts';

// A turn's roots' jobs starting at the same instant, on separate connections (separate workers):
// DAG_START decides who runs each call (ADR 0031). Every root must be run by exactly one job: the
// first script claims its own call and the others, the later ones find theirs claimed by it and
// leave, and the claimant's redelivery gets back exactly what it claimed.
const url = inject('redisUrl');
const prefix = uniquePrefix('dag-start-race');
const keys = createKeys(prefix);
const ROOTS = 4;
let conns: Redis[];

beforeAll(() => {
  conns = Array.from({ length: ROOTS }, () => createRedis(url));
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  for (const c of conns) c.disconnect();
});

const job = (q: string, i: number) => ({ queryId: q, conversationId: 'c_r', turn: 0, index: i, callId: `c${i}`, name: 't', arguments: {}, dependsOn: [] });

/** Who runs each call according to these starts: its own job (claim = itself, not left), or the claimant's job beside its own. */
function runners(starts: DagStart[]): number[][] {
  const by: number[][] = Array.from({ length: ROOTS }, () => []);
  starts.forEach((s, i) => {
    const leaves = s.claimedFromJob && s.claim !== undefined && s.claim !== i;
    if (!leaves) by[i]!.push(i);
    for (const c of s.beside) by[c.job.index]!.push(i);
  });
  return by;
}

describe('DAG_START with every root job starting at once', () => {
  it('gives each root exactly one runner, over 100 turns, whatever the order the scripts land in', async () => {
    const claimants = new Set<number>();
    for (let n = 0; n < 100; n++) {
      const q = `q_r${n}`;
      await new DagStore(conns[0]!, keys).init(
        q,
        0,
        Array.from({ length: ROOTS }, (_, i) => ({ pending: 0, dependents: [], job: job(q, i) })),
      );
      // Room for all on some workers, for none on others (a saturated worker claims nothing).
      const rooms = Array.from({ length: ROOTS }, (_, i) => (n + i) % 3 === 0 ? 0 : 8);
      const starts = await Promise.all(conns.map((c, i) => new DagStore(c, keys).start(q, 0, i, 'c_r', [], rooms[i]!)));
      for (const [i, r] of runners(starts).entries()) expect({ n, i, count: r.length }).toEqual({ n, i, count: 1 });
      const claimant = starts.findIndex((s) => s.beside.length > 0);
      if (claimant >= 0) {
        claimants.add(claimant);
        // Its redelivery (its own call unrecorded) gets back exactly what it claimed, flagged as claimed from their jobs.
        const again = await new DagStore(conns[0]!, keys).start(q, 0, claimant, 'c_r', [], 8);
        expect(again.beside).toEqual([]);
        expect(again.unfinished.map((u) => [u.job.index, u.claimedFromJob]).sort()).toEqual(starts[claimant]!.beside.map((c) => [c.job.index, true]).sort());
      }
    }
    // Different jobs ended up claimant across the turns (the order the scripts landed in, and the room).
    expect(claimants.size).toBeGreaterThan(1);
  });
});
