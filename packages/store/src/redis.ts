import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection that waits out a Redis restart instead of failing: BullMQ needs
 * `maxRetriesPerRequest: null`, and reconnects back off to at most 1 s so a restarted
 * Redis is picked up quickly.
 */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 1000),
    ...opts,
  });
}
