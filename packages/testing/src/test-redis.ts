import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { RedisServer, redisServerBinary } from './redis-server.ts';

export interface RedisTarget {
  url: string;
  /** How it was obtained, for test logs. */
  source: 'REDIS_URL' | 'testcontainers' | 'redis-server';
  stop(): Promise<void>;
}

/**
 * The Redis a test run uses: REDIS_URL if set (shared, so every test file takes its own key
 * prefix and nothing is ever flushed); else Docker through testcontainers; else a private
 * redis-server child process.
 */
export async function acquireRedis(): Promise<RedisTarget> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) return { url: fromEnv, source: 'REDIS_URL', stop: async () => {} };
  if (dockerReachable()) {
    try {
      const { RedisContainer } = await import('@testcontainers/redis');
      const c = await new RedisContainer('redis:7-alpine').start();
      return { url: c.getConnectionUrl(), source: 'testcontainers', stop: async () => void (await c.stop()) };
    } catch (e) {
      // A socket without a working engine (or no image to pull): fall back to a local binary.
      process.stderr.write(`[steward tests] testcontainers unavailable (${(e as Error).message}); trying redis-server\n`);
    }
  }
  if (!redisServerBinary()) {
    throw new Error('No Redis for tests: set REDIS_URL, start Docker, or install redis-server (apt-get install redis-server)');
  }
  const srv = await RedisServer.start();
  return { url: srv.url, source: 'redis-server', stop: () => srv.stop() };
}

function dockerReachable(): boolean {
  if (process.env.STEWARD_TEST_NO_DOCKER === '1') return false;
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

/** A key prefix no other test shares: a hash tag so every key of a test lives in one slot. */
export function uniquePrefix(label = 't'): string {
  return `{st-${label}-${randomBytes(4).toString('hex')}}`;
}

/** Delete every key under a prefix (SCAN, never FLUSHALL: the Redis may not be ours). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
