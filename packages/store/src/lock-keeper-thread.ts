// The lock keeper's thread (see lock-keeper.ts): renews the BullMQ locks of every job its worker
// holds — from the moment BullMQ fetched it, before the main loop has even started it — on its
// own event loop and Redis connection, so a main loop busy for a second on a saturated machine
// does not lose its jobs. It stops renewing when the main loop has sent no beat for
// maxLoopStallMs: a hung process must not keep its jobs for ever.
import { parentPort, workerData } from 'node:worker_threads';
import { Redis, type RedisOptions } from 'ioredis';

interface Setup {
  redis: RedisOptions;
  lockMs: number;
  renewMs: number;
  maxLoopStallMs: number;
}
type Message = { type: 'watch'; base: string; workerId: string } | { type: 'beat' } | { type: 'stop' };

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

parentPort?.on('message', (m: Message) => {
  if (m.type === 'watch') watched.push({ base: m.base, prefix: `${m.workerId}:` });
  else if (m.type === 'beat') lastBeat = Date.now();
  else {
    clearInterval(timer);
    redis.disconnect();
    parentPort?.close();
  }
});
