import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

/**
 * Take the running queries whose deadline is at or before `cutoff` (at most `limit`, earliest
 * first) and move each one's score to `leaseUntil`, in one step: a second controller polling
 * at the same moment sees them as not due, so one query's deadline is worked by one poller at a
 * time. The entry itself stays until the query's ending removes it (the COMPLETE script), so a
 * poller that dies after claiming loses nothing: the entry is due again at `leaseUntil`.
 * Nothing due costs one ZRANGEBYSCORE inside the script.
 */
const CLAIM_DUE = `
-- KEYS: 1 deadlines ; ARGV: 1 cutoff, 2 leaseUntil, 3 limit
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id) end
return due
`;

/** The `deadlines` sorted set (running queries by deadline): the one deadline timer of the fleet. */
export class Deadlines {
  private readonly redis: Redis;
  private readonly keys: Keys;

  constructor(redis: Redis, keys: Keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Query ids now due (deadline ≤ cutoff), claimed until `leaseUntil` (see CLAIM_DUE). */
  async claimDue(cutoff: number, leaseUntil: number, limit: number): Promise<string[]> {
    return (await this.redis.eval(CLAIM_DUE, 1, this.keys.deadlines, cutoff, leaseUntil, limit)) as string[];
  }

  /** Drop an entry whose query is no longer running (it ended without the ending removing it, or is gone). */
  async drop(queryId: string): Promise<void> {
    await this.redis.zrem(this.keys.deadlines, queryId);
  }
}
