// The lock keeper's thread (see lock-keeper.ts): renews the BullMQ locks of every job its worker
// holds — from the moment BullMQ fetched it, before the main loop has even started it — on its
// own event loop and Redis connection, so a main loop busy for a second on a saturated machine
// does not lose its jobs. It stops renewing when the main loop has sent no beat for
// maxLoopStallMs: a hung process must not keep its jobs for ever.
// It also runs BullMQ's stalled check on time: from the main loop that check ran up to 1.4 s
// late at saturation, and a killed worker's jobs came back that much later (docs/BENCHMARKS.md,
// "Recovery at 120 conversations"). Only the check's Lua text is loaded here, not BullMQ itself
// (the reverted first attempt ran a whole BullMQ Queue in every worker's thread).
import { parentPort, workerData } from 'node:worker_threads';
import { moveStalledJobsToWait } from 'bullmq/dist/esm/scripts/moveStalledJobsToWait-9.js';
import { Redis, type RedisOptions } from 'ioredis';
import type { StalledCheck } from './lock-keeper.ts';
import { cachedEval } from './redis.ts';

interface Setup {
  redis: RedisOptions;
  lockMs: number;
  renewMs: number;
  maxLoopStallMs: number;
}
type Message = { type: 'watch'; base: string; workerId: string; stalled?: StalledCheck } | { type: 'beat' } | { type: 'stop' };

// Every job of the queue's active list whose lock holds one of this worker's tokens (BullMQ's
// tokens are `<worker id>:<n>`) gets its lock extended and leaves the stalled set, as BullMQ's
// extendLocks does for the jobs it tracks. It also returns the queue's count of jobs moved back
// lately (see startStalledCheck), so each worker can take the new ones (recovery-headroom.ts).
const RENEW = `
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
local prefix = ARGV[2]
local n = 0
for _, id in ipairs(ids) do
  local lock = ARGV[1] .. id .. ':lock'
  local token = redis.call('GET', lock)
  if token and string.sub(token, 1, #prefix) == prefix then
    redis.call('PEXPIRE', lock, ARGV[3])
    redis.call('SREM', ARGV[1] .. 'stalled', id)
    n = n + 1
  end
end
return {n, redis.call('GET', ARGV[1] .. ARGV[4])}`;

const setup = workerData as Setup;
const redis = new Redis({
  ...setup.redis,
  // A renewal asked before the connection is up waits for it (one at a time: see `busy`).
  maxRetriesPerRequest: 1,
  retryStrategy: () => 200,
});
redis.on('error', () => undefined);
// Both scripts run by SHA: the renewal four times a second and BullMQ's stalled check (~2.9 KB)
// as often, per queue and process, were sent whole with EVAL every time and hashed again by Redis
// (issue 17: ~17 KB per query, a quarter of every byte the workers sent; docs/BENCHMARKS.md).
redis.eval = cachedEval(redis);
// The worker takes jobs once this thread can renew their locks.
redis.once('ready', () => parentPort?.postMessage('ready'));
const watched: { base: string; prefix: string; seen: number }[] = [];
// Jobs moved back lately, counted up by whichever worker's thread moved them (INCRBY) and gone
// RECOVERED_TTL_MS after the last move. A count, not the last move's size: two checks between
// one worker's renewals (a dead worker's jobs whose locks lapse a tick apart) must not hide the
// first batch from it — seen in the starved-survivor test of lock-keeper.test.ts. A new key name:
// workers of the previous release read `steward-recovered` as `<ms>:<jobs>` and would take a
// bare count for NaN slots during a rolling deploy.
const RECOVERED_KEY = 'steward-recovered-count';
const RECOVERED_TTL_MS = 2_000;

/** Tell the worker of jobs moved back since it last heard; `count` is the queue's count now (null: none lately). */
function heard(w: (typeof watched)[number], count: string | null): void {
  if (count === null) {
    w.seen = 0;
    return;
  }
  const n = Number(count);
  // A smaller count is a reply older than one already heard (the check's own INCRBY): nothing new.
  if (n > w.seen) parentPort?.postMessage({ type: 'recovered', base: w.base, jobs: n - w.seen });
  w.seen = Math.max(w.seen, n);
}
let lastBeat = Date.now();
let busy = false;

const renew = async (): Promise<void> => {
  if (busy || watched.length === 0 || Date.now() - lastBeat > setup.maxLoopStallMs) return;
  busy = true;
  try {
    await Promise.all(
      watched.map(async (w) => {
        const [, recovered] = (await redis.eval(RENEW, 1, `${w.base}active`, w.base, w.prefix, setup.lockMs, RECOVERED_KEY)) as [number, string | null];
        heard(w, recovered);
      }),
    );
  } catch {
    // Redis away: BullMQ's own renewal and the stalled check settle it when it is back.
  } finally {
    busy = false;
  }
};
const timer = setInterval(() => void renew(), setup.renewMs);

// BullMQ's own script with the keys and arguments its worker passes (RedisQueueBackend
// moveStalledJobsToWaitArgs): a job whose lock is gone goes back to the head of the wait list
// (RPUSH: taken before new jobs), its stall counter grows, a 'stalled' event is written. The
// script's stalled-check key lets one check per interval through for the whole fleet, so every
// worker's thread asking does not multiply the work (the main loop's check runs only when this
// thread failed: worker.ts). Not gated on the beat: moving a dead worker's jobs back is right even
// when this process is hung.
const STALLED_KEYS = ['stalled', 'wait', 'active', 'stalled-check', 'meta', 'paused', 'marker', 'events', 'repeat'];
const checks: NodeJS.Timeout[] = [];
function startStalledCheck(base: string, c: StalledCheck): void {
  let checking = false;
  const check = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      const keys = STALLED_KEYS.map((k) => base + k);
      const moved = (await redis.eval(moveStalledJobsToWait.content, keys.length, ...keys, c.maxStalledCount, base, Date.now(), c.stalledIntervalMs)) as unknown[];
      // Every worker of the queue learns of the move at its next renewal (see RENEW); this one at once.
      if (moved.length > 0) {
        const [[, count]] = (await redis.multi().incrby(`${base}${RECOVERED_KEY}`, moved.length).pexpire(`${base}${RECOVERED_KEY}`, RECOVERED_TTL_MS).exec()) as [[Error | null, number]];
        const w = watched.find((x) => x.base === base);
        if (w) heard(w, String(count));
      }
    } catch {
      // Redis away: the next tick does it.
    } finally {
      checking = false;
    }
  };
  checks.push(setInterval(() => void check(), c.stalledIntervalMs));
}

parentPort?.on('message', (m: Message) => {
  if (m.type === 'watch') {
    watched.push({ base: m.base, prefix: `${m.workerId}:`, seen: 0 });
    if (m.stalled) startStalledCheck(m.base, m.stalled);
  } else if (m.type === 'beat') lastBeat = Date.now();
  else {
    clearInterval(timer);
    for (const t of checks) clearInterval(t);
    redis.disconnect();
    parentPort?.close();
  }
});
