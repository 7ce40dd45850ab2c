import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisServer } from '@steward/testing';
import { createRedis } from './redis.ts';

// A private server: the test flushes its script cache.
let server: RedisServer;
let redis: Redis;
const calls = async (cmd: string): Promise<number> => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(await redis.info('commandstats'))?.[1] ?? 0);

beforeAll(async () => {
  server = await RedisServer.start();
  redis = createRedis(server.url);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

describe('createRedis eval', () => {
  const SCRIPT = "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])";

  it('sends a script whole once, then by SHA, and again after the server lost it', async () => {
    expect(await redis.eval(SCRIPT, 1, 'k', 'a')).toBe('a');
    expect(await redis.eval(SCRIPT, 1, 'k', 'b')).toBe('b');
    expect(await redis.eval(SCRIPT, 1, 'k', 'c')).toBe('c');
    expect(await calls('eval')).toBe(1);
    expect(await calls('evalsha')).toBe(3);
    await redis.script('FLUSH');
    expect(await redis.eval(SCRIPT, 1, 'k', 'd')).toBe('d');
    expect(await calls('eval')).toBe(2);
  });

  it('passes script errors through', async () => {
    await expect(redis.eval("return redis.error_reply('nope')", 0)).rejects.toThrow('nope');
  });
});
