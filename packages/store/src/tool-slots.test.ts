import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { createRedis } from './redis.ts';
import { ToolSlots } from './tool-slots.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('slots');
let redis: Redis;
let slots: ToolSlots;

beforeAll(() => {
  redis = createRedis(url);
  slots = new ToolSlots(redis, createKeys(prefix));
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

describe('ToolSlots', () => {
  it('admits at most `limit` holders and frees a slot on release', async () => {
    expect(await slots.acquire('t', 'a', 2, 10_000)).toBe(true);
    expect(await slots.acquire('t', 'b', 2, 10_000)).toBe(true);
    expect(await slots.acquire('t', 'c', 2, 10_000)).toBe(false);
    // A holder asking again (a retried job) keeps its slot.
    expect(await slots.acquire('t', 'a', 2, 10_000)).toBe(true);
    await slots.release('t', 'a');
    expect(await slots.acquire('t', 'c', 2, 10_000)).toBe(true);
    expect(await slots.held('t')).toBe(2);
  });

  it('frees the slot of a holder whose lease ran out (a dead worker)', async () => {
    expect(await slots.acquire('u', 'dead', 1, 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    expect(await slots.acquire('u', 'alive', 1, 10_000)).toBe(true);
  });
});
