import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection that waits out a Redis restart instead of failing: BullMQ needs
 * `maxRetriesPerRequest: null`, and reconnects back off to at most 1 s so a restarted
 * Redis is picked up quickly. Its `eval` runs scripts by SHA (see cachedEval).
 */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 1000),
    ...opts,
  });
  redis.eval = cachedEval(redis);
  return redis;
}

const shas = new Map<string, string>();

function shaOf(script: string): string {
  let sha = shas.get(script);
  if (sha === undefined) {
    sha = createHash('sha1').update(script).digest('hex');
    // The scripts are module constants: a handful per process.
    shas.set(script, sha);
  }
  return sha;
}

/**
 * `eval` by EVALSHA: the store's scripts run several times per query step and are kilobytes
 * long; EVAL sent each one whole every time and had Redis hash it again (issue 17: ~12 EVALs per
 * query). A script Redis does not have yet (first use, a restart, SCRIPT FLUSH) answers NOSCRIPT
 * and is sent once with EVAL, which also caches it. MULTI and pipelines keep their own eval.
 */
export function cachedEval(redis: Redis): Redis['eval'] {
  const evalWhole = redis.eval.bind(redis) as (...args: unknown[]) => Promise<unknown>;
  const evalBySha = redis.evalsha.bind(redis) as (...args: unknown[]) => Promise<unknown>;
  return async (script: string, ...rest: unknown[]) => {
    try {
      return await evalBySha(shaOf(script), ...rest);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return evalWhole(script, ...rest);
    }
  };
}
