import { Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createRedis } from './redis.ts';
import { startWorker } from './worker.ts';

// StewardWorker hooks four protected methods of BullMQ's Worker (ADR 0033): moveToActive,
// handleCompleted and handleFailed (each of them fetches a job: the keeper's thread must know a fetch
// is pending) and nextJobFromJobData (every fetched job passes there: the thread is told of it).
// A BullMQ release that renames one of them, or stops calling it through `this`, would leave the
// override dead and the renewal silently weaker. This runs a real worker on real Redis and checks
// that BullMQ calls each of the four, and that every call reached the lock keeper.
const url = inject('redisUrl');
const prefix = uniquePrefix('worker-hooks');
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
let redis: Redis;

beforeAll(() => {
  redis = createRedis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

const HOOKS = ['moveToActive', 'handleCompleted', 'handleFailed', 'nextJobFromJobData'] as const;
type Hooked = Record<(typeof HOOKS)[number], (...a: unknown[]) => Promise<unknown>>;
interface KeeperSeam {
  keeper?: { lock: { fetching(): () => void; fetched(base: string, id: string, token: string): void } };
}

describe("BullMQ's Worker internals that StewardWorker hooks", () => {
  it('are all called on a real run (fetch by the loop, fetch-next after a completion and after a failure), and each told the lock keeper', async () => {
    const queue = new Queue('reasoning', { connection: redis, prefix });
    // Queued before the worker starts: with one slot, the 2nd and 3rd come through the finishing job's fetch-next.
    await queue.add('j', { queryId: 'q_ok1', turn: 0 }, { jobId: 'q_ok1' });
    await queue.add('j', { queryId: 'q_fail', turn: 0 }, { jobId: 'q_fail' });
    await queue.add('j', { queryId: 'q_ok2', turn: 0 }, { jobId: 'q_ok2' });
    const calls: Record<string, number> = Object.fromEntries(HOOKS.map((h) => [h, 0]));
    let fetching = 0;
    const reported: string[] = [];
    const done = new Set<string>();
    const w: Worker = startWorker(
      'reasoning',
      async (data) => {
        done.add(data.queryId);
        if (data.queryId === 'q_fail') throw new Error('fails on purpose');
        return 'ok';
      },
      { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix, concurrency: 1, log },
    );
    // Instance properties in front of the prototype's: BullMQ calls `this.<name>`, so a renamed or
    // no longer called internal leaves its count at 0.
    const hooked = w as unknown as Hooked;
    for (const h of HOOKS) {
      const own = hooked[h].bind(w);
      hooked[h] = (...a: unknown[]) => {
        calls[h]!++;
        // The keeper's seam, wrapped once it exists (the worker sets it before it takes jobs).
        const k = (w as unknown as KeeperSeam).keeper?.lock;
        if (k && !(k as { wrapped?: boolean }).wrapped) {
          const [f, r] = [k.fetching.bind(k), k.fetched.bind(k)];
          Object.assign(k, {
            wrapped: true,
            fetching: () => (fetching++, f()),
            fetched: (base: string, id: string, token: string) => (reported.push(id), r(base, id, token)),
          });
        }
        return own(...a);
      };
    }
    try {
      const end = Date.now() + 10_000;
      while (done.size < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      expect(done.size).toBe(3);
      for (const h of HOOKS) expect({ [h]: calls[h]! > 0 }).toEqual({ [h]: true });
      // Every fetch path told the keeper a fetch was pending, and every job was reported.
      expect(fetching).toBeGreaterThanOrEqual(calls.moveToActive! + calls.handleCompleted! + calls.handleFailed! - 1);
      expect(new Set(reported)).toEqual(new Set(['q_ok1', 'q_fail', 'q_ok2']));
    } finally {
      await w.close();
      await queue.close();
    }
  });
});
