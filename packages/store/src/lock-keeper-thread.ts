// The lock keeper's thread (see lock-keeper.ts): renews the BullMQ locks of every job its worker
// holds — from the moment BullMQ fetched it, before the main loop has even started it — on its
// own event loop and Redis connection, so a main loop busy for a second on a saturated machine
// does not lose its jobs. It renews the jobs the main loop reported (with its beat, every
// reportMs), and finds the others — fetched while the main loop was too busy to report them — by
// scanning the queue's active list for its tokens, only when such a job can exist (ADR 0033).
// It stops renewing when the main loop has sent no beat for maxLoopStallMs: a hung process must
// not keep its jobs for ever.
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
  /** Scan the active list when a job may have been locked this long without the main loop's report. */
  scanAfterMs: number;
  /** Scan the active list at least this often whatever the reports say (a fetch path not reported). */
  backstopScanMs: number;
}
/** A job the main loop fetched (`+`) or ended (`-`), with its lock's token, in the order it saw them. */
export type JobReport = [base: string, op: '+' | '-', id: string, token: string];
type Message =
  | { type: 'watch'; base: string; workerId: string; stalled?: StalledCheck }
  | {
      type: 'beat';
      /** The main loop's clock when it sent this. */
      at: number;
      /** When its oldest fetch still unanswered was sent (none: absent). */
      since?: number;
      jobs: JobReport[];
    }
  | { type: 'stop' };

// The jobs the main loop reported (id, token), each with its lock extended and out of the stalled
// set, as BullMQ's extendLocks does for the jobs it tracks: O(own jobs), not O(every worker's jobs in
// flight). A job whose lock is gone or holds another token (it ended, or it was moved back and
// taken again) is returned as lost, so the thread stops renewing it. Also returns the queue's count
// of jobs moved back lately (see startStalledCheck), so each worker can take the new ones
// (recovery-headroom.ts).
const RENEW_OWN = `
local base = ARGV[1]
local held, lost = {}, {}
for i = 4, #ARGV, 2 do
  local lock = base .. ARGV[i] .. ':lock'
  if redis.call('GET', lock) == ARGV[i + 1] then
    redis.call('PEXPIRE', lock, ARGV[2])
    held[#held + 1] = ARGV[i]
  else
    lost[#lost + 1] = ARGV[i]
  end
end
for i = 1, #held, 1000 do
  redis.call('SREM', KEYS[1], unpack(held, i, math.min(i + 999, #held)))
end
return {lost, redis.call('GET', base .. ARGV[3])}`;

// The backstop: every job of the queue's active list whose lock holds one of this worker's tokens
// (BullMQ's tokens are `<worker id>:<n>`) — reported or not — renewed as above, and returned
// (id, token) so the thread renews it by id from then on. Reads every worker's locks: O(jobs in
// flight), so it runs only when a job may be unreported (see renew) and every backstopScanMs.
const RENEW_SCAN = `
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
local base, prefix = ARGV[1], ARGV[2]
local held, mine = {}, {}
for _, id in ipairs(ids) do
  local lock = base .. id .. ':lock'
  local token = redis.call('GET', lock)
  if token and string.sub(token, 1, #prefix) == prefix then
    redis.call('PEXPIRE', lock, ARGV[3])
    held[#held + 1] = id
    mine[#mine + 1] = id
    mine[#mine + 1] = token
  end
end
for i = 1, #held, 1000 do
  redis.call('SREM', base .. 'stalled', unpack(held, i, math.min(i + 999, #held)))
end
return {mine, redis.call('GET', base .. ARGV[4])}`;

const setup = workerData as Setup;
const redis = new Redis({
  ...setup.redis,
  // A renewal asked before the connection is up waits for it (one at a time: see `busy`).
  maxRetriesPerRequest: 1,
  retryStrategy: () => 200,
});
redis.on('error', () => undefined);
// The scripts run by SHA: the renewal twice a second and BullMQ's stalled check (~2.9 KB) four
// times, per queue and process, were sent whole with EVAL every time and hashed again by Redis
// (issue 17: ~17 KB per query, a quarter of every byte the workers sent; docs/BENCHMARKS.md).
redis.eval = cachedEval(redis);
// The worker takes jobs once this thread can renew their locks.
redis.once('ready', () => parentPort?.postMessage('ready'));
/** A job this worker holds, by id; a new object per report, so a late reply cannot drop a newer report. */
interface Held {
  token: string;
}
const watched: { base: string; prefix: string; seen: number; own: Map<string, Held> }[] = [];
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
// No job of this worker was locked before this moment without the thread hearing of it: the main
// loop's last report said so (ADR 0033). Before the first report: the thread's start (the worker
// takes jobs only once the thread is ready).
let unreportedSince = Date.now();
let lastScan = Date.now();
let busy = false;

async function renewOwn(w: (typeof watched)[number]): Promise<void> {
  const sent = [...w.own];
  const args: (string | number)[] = [w.base, setup.lockMs, RECOVERED_KEY];
  for (const [id, h] of sent) args.push(id, h.token);
  const [lost, recovered] = (await redis.eval(RENEW_OWN, 1, `${w.base}stalled`, ...args)) as [string[], string | null];
  if (lost.length > 0) {
    const asked = new Map(sent);
    // Only the report that was asked about: one that came while the script ran is newer.
    for (const id of lost) if (w.own.get(id) === asked.get(id)) w.own.delete(id);
  }
  heard(w, recovered);
}

async function scan(w: (typeof watched)[number]): Promise<void> {
  const before = new Map(w.own);
  const [mine, recovered] = (await redis.eval(RENEW_SCAN, 1, `${w.base}active`, w.base, w.prefix, setup.lockMs, RECOVERED_KEY)) as [string[], string | null];
  const found = new Map<string, string>();
  for (let i = 0; i < mine.length; i += 2) found.set(mine[i]!, mine[i + 1]!);
  // Jobs the scan found are renewed by id from now on; reports that came while it ran win.
  for (const [id, token] of found) {
    const h = w.own.get(id);
    if (h === undefined || (h === before.get(id) && h.token !== token)) w.own.set(id, { token });
  }
  for (const [id, h] of before) if (!found.has(id) && w.own.get(id) === h) w.own.delete(id);
  heard(w, recovered);
}

const renew = async (): Promise<void> => {
  const now = Date.now();
  if (busy || watched.length === 0 || now - lastBeat > setup.maxLoopStallMs) return;
  busy = true;
  // A job locked more than scanAfterMs ago may still be unreported (the main loop is behind): find
  // it by its token before its lock runs out. Otherwise only the reported jobs.
  const scanning = now - unreportedSince > setup.scanAfterMs || now - lastScan >= setup.backstopScanMs;
  if (scanning) lastScan = now;
  try {
    await Promise.all(watched.map((w) => (scanning ? scan(w) : renewOwn(w))));
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
    watched.push({ base: m.base, prefix: `${m.workerId}:`, seen: 0, own: new Map() });
    if (m.stalled) startStalledCheck(m.base, m.stalled);
  } else if (m.type === 'beat') {
    lastBeat = Date.now();
    for (const [base, op, id, token] of m.jobs) {
      const w = watched.find((x) => x.base === base);
      if (!w) continue;
      if (op === '+') w.own.set(id, { token });
      else if (w.own.get(id)?.token === token) w.own.delete(id);
    }
    unreportedSince = m.since ?? m.at;
  } else {
    clearInterval(timer);
    for (const t of checks) clearInterval(t);
    redis.disconnect();
    parentPort?.close();
  }
});
