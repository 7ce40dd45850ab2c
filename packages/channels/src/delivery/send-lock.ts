import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '@steward/store';
import { channelKeys } from '../keys.ts';

// Released only by its holder: a lock that outlived its TTL and was taken by another attempt
// must not be deleted by the first one.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** The right to send this query's answer now; expires on its own if the holder dies. */
export async function acquireSendLock(redis: Redis, keys: Keys, queryId: string, timeoutMs: number): Promise<string | null> {
  const token = randomBytes(8).toString('hex');
  const r = await redis.set(channelKeys(keys.prefix).sending(queryId), token, 'PX', timeoutMs + 5_000, 'NX');
  return r === 'OK' ? token : null;
}

export async function releaseSendLock(redis: Redis, keys: Keys, queryId: string, token: string): Promise<void> {
  await redis.eval(RELEASE, 1, channelKeys(keys.prefix).sending(queryId), token);
}
