// The lock keeper's thread (see lock-keeper.ts): renews the BullMQ locks of the jobs its process
// is running, on its own event loop and Redis connection, so a main loop busy for a second on a
// saturated machine does not lose its jobs. It stops renewing when the main loop has sent no
// beat for maxLoopStallMs: a hung process must not keep its jobs for ever.
import { parentPort, workerData } from 'node:worker_threads';
import { Redis, type RedisOptions } from 'ioredis';

interface Setup {
  redis: RedisOptions;
  lockMs: number;
  renewMs: number;
  maxLoopStallMs: number;
}
type Message =
  { type: 'add'; base: string; jobId: string; token: string } | { type: 'beat' } | { type: 'stop' };

// Mirrors BullMQ's extendLocks script: the lock is renewed only while it still holds this
// worker's token, and the job leaves the stalled set (the stalled check's candidates). Returns
// the positions of the jobs whose lock is gone or someone else's: finished, or taken over.
const RENEW = `
local gone = {}
for i = 1, #KEYS do
  local lock = KEYS[i] .. ARGV[i * 2 - 1] .. ':lock'
  if redis.call('GET', lock) == ARGV[i * 2] then
    redis.call('SET', lock, ARGV[i * 2], 'PX', ARGV[#ARGV])
    redis.call('SREM', KEYS[i] .. 'stalled', ARGV[i * 2 - 1])
  else
    gone[#gone + 1] = i
  end
end
return gone`;

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
const jobs = new Map<string, { base: string; jobId: string; token: string }>();
let lastBeat = Date.now();
let busy = false;

const renew = async (): Promise<void> => {
  if (busy || jobs.size === 0 || Date.now() - lastBeat > setup.maxLoopStallMs) return;
  busy = true;
  const list = [...jobs.values()];
  try {
    const gone = (await redis.eval(
      RENEW,
      list.length,
      ...list.map((j) => j.base),
      ...list.flatMap((j) => [j.jobId, j.token]),
      setup.lockMs,
    )) as number[];
    for (const i of gone) {
      const j = list[i - 1];
      // Only the entry renewed here: the job may have started again with a new token since.
      if (j && jobs.get(`${j.base}${j.jobId}`)?.token === j.token) jobs.delete(`${j.base}${j.jobId}`);
    }
  } catch {
    // Redis away: BullMQ's own renewal and the stalled check settle it when it is back.
  } finally {
    busy = false;
  }
};
const timer = setInterval(() => void renew(), setup.renewMs);

parentPort?.on('message', (m: Message) => {
  if (m.type === 'add') jobs.set(`${m.base}${m.jobId}`, { base: m.base, jobId: m.jobId, token: m.token });
  else if (m.type === 'beat') lastBeat = Date.now();
  else {
    clearInterval(timer);
    redis.disconnect();
    parentPort?.close();
  }
});
