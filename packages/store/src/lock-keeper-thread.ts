// The lock keeper's thread (see lock-keeper.ts): renews the BullMQ locks of every job its worker
// holds — from the moment BullMQ fetched it, before the main loop has even started it — on its
// own event loop and Redis connection, so a main loop busy for a second on a saturated machine
// does not lose its jobs. It stops renewing when the main loop has sent no beat for
// maxLoopStallMs: a hung process must not keep its jobs for ever.
// It also runs BullMQ's stalled check (its own moveStalledJobsToWait script, through a Queue on
// this thread's connection) on time: from a lagging main loop the check ran up to 1.4 s late at
// saturation, which is how late a killed worker's jobs came back.
import { parentPort, workerData } from 'node:worker_threads';
import { Queue, type QueueOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

interface Setup {
  redis: RedisOptions;
  lockMs: number;
  renewMs: number;
  maxLoopStallMs: number;
}
/** The stalled check of one queue: BullMQ's settings for it, as the worker would use them. */
export interface StalledCheck {
  queue: string;
  prefix: string;
  stalledIntervalMs: number;
  maxStalledCount: number;
}
type Message =
  | { type: 'watch'; base: string; workerId: string; stalled?: StalledCheck }
  | { type: 'beat' }
  | { type: 'stop' };

// Every job of the queue's active list whose lock holds one of this worker's tokens (BullMQ's
// tokens are `<worker id>:<n>`) gets its lock extended and leaves the stalled set, as BullMQ's
// extendLocks does for the jobs it tracks.
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
return n`;

const setup = workerData as Setup;
const redis = new Redis({
  ...setup.redis,
  // A renewal asked before the connection is up waits for it (one at a time: see `busy`).
  maxRetriesPerRequest: 1,
  retryStrategy: () => 200,
});
redis.on('error', () => undefined);
// The worker takes jobs once this thread can renew their locks.
redis.once('ready', () => parentPort?.postMessage('ready'));
const watched: { base: string; prefix: string }[] = [];
let lastBeat = Date.now();
let busy = false;

const renew = async (): Promise<void> => {
  if (busy || watched.length === 0 || Date.now() - lastBeat > setup.maxLoopStallMs) return;
  busy = true;
  try {
    await Promise.all(watched.map((w) => redis.eval(RENEW, 1, `${w.base}active`, w.base, w.prefix, setup.lockMs)));
  } catch {
    // Redis away: BullMQ's own renewal and the stalled check settle it when it is back.
  } finally {
    busy = false;
  }
};
const timer = setInterval(() => void renew(), setup.renewMs);

// Not gated on the main loop's beat: moving a dead worker's jobs back is right whether or not
// this process is healthy. BullMQ's script lets one check per interval through fleet-wide (its
// stalled-check key), so every worker asking does not multiply the work.
const checks: { queue: Queue; timer: NodeJS.Timeout }[] = [];
function startStalledCheck(c: StalledCheck): void {
  // maxStalledCount and stalledInterval are worker options the script reads from the queue's options.
  const queue = new Queue(c.queue, {
    connection: redis,
    prefix: c.prefix,
    maxStalledCount: c.maxStalledCount,
    stalledInterval: c.stalledIntervalMs,
  } as QueueOptions);
  queue.on('error', () => undefined);
  let checking = false;
  const check = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      await queue.getBackend().moveStalledJobsToWait();
    } catch {
      // Redis away: the next tick tries again.
    } finally {
      checking = false;
    }
  };
  checks.push({ queue, timer: setInterval(() => void check(), c.stalledIntervalMs) });
}

parentPort?.on('message', (m: Message) => {
  if (m.type === 'watch') {
    watched.push({ base: m.base, prefix: `${m.workerId}:` });
    if (m.stalled) startStalledCheck(m.stalled);
  } else if (m.type === 'beat') lastBeat = Date.now();
  else {
    clearInterval(timer);
    for (const c of checks) clearInterval(c.timer);
    redis.disconnect();
    parentPort?.close();
  }
});
