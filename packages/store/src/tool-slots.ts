import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';
import { heldSlots, holdSlot } from './leased-slots.ts';

// A fleet-wide cap on concurrent calls of one tool: leased slots (leased-slots.ts), so the slot of
// a worker that died is freed when its lease runs out.
export class ToolSlots {
  private readonly redis: Redis;
  private readonly keys: Keys;

  constructor(redis: Redis, keys: Keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Take one of `limit` slots of `tool` for `leaseMs`; false when all are taken. */
  async acquire(tool: string, holder: string, limit: number, leaseMs: number): Promise<boolean> {
    return holdSlot(this.redis, this.keys.toolSlots(tool), holder, limit, leaseMs);
  }

  async release(tool: string, holder: string): Promise<void> {
    await this.redis.zrem(this.keys.toolSlots(tool), holder);
  }

  async held(tool: string): Promise<number> {
    return heldSlots(this.redis, this.keys.toolSlots(tool));
  }
}
