import type { Redis } from 'ioredis';

// Slots held under a lease: the holders are the members of one sorted set scored by when their
// lease ends, on Redis's own clock (hosts' clocks do not matter), so a holder that dies frees its
// slot when its lease runs out. One script takes a free slot or renews the holder's own. Used for
// the fleet-wide cap of a tool's concurrent calls (ToolSlots) and for a queue's active workers
// (ActiveLease, ACTIVE_REPLICAS).
const HOLD = `
-- KEYS: 1 holders ; ARGV: 1 holder, 2 limit, 3 leaseMs
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
return 1
`;

/** Take one of `limit` slots of `key` for `leaseMs`, or renew `holder`'s; false when all are held by others. */
export async function holdSlot(redis: Redis, key: string, holder: string, limit: number, leaseMs: number): Promise<boolean> {
  return (await redis.eval(HOLD, 1, key, holder, limit, leaseMs)) === 1;
}

/** Slots whose lease has not run out (Redis's clock, as the leases). */
export async function heldSlots(redis: Redis, key: string): Promise<number> {
  const [s, us] = await redis.time();
  return redis.zcount(key, Number(s) * 1000 + Math.floor(Number(us) / 1000), '+inf');
}
