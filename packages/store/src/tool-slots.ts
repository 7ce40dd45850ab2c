import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

// A fleet-wide cap on concurrent calls of one tool: holders are members of a sorted set scored by
// when their lease ends, so the slot of a worker that died is freed when its lease runs out.
const ACQUIRE = `
-- KEYS: 1 slots ; ARGV: 1 holder, 2 limit, 3 nowMs, 4 leaseMs
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[3]) + tonumber(ARGV[4]), ARGV[1])
  return 1
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], tonumber(ARGV[3]) + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) * 2)
return 1
`;

export class ToolSlots {
  private readonly redis: Redis;
  private readonly keys: Keys;

  constructor(redis: Redis, keys: Keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Take one of `limit` slots of `tool` for `leaseMs`; false when all are taken. */
  async acquire(tool: string, holder: string, limit: number, leaseMs: number): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE, 1, this.keys.toolSlots(tool), holder, limit, Date.now(), leaseMs)) === 1;
  }

  async release(tool: string, holder: string): Promise<void> {
    await this.redis.zrem(this.keys.toolSlots(tool), holder);
  }

  async held(tool: string): Promise<number> {
    return this.redis.zcount(this.keys.toolSlots(tool), Date.now(), '+inf');
  }
}
