// Scripts that build a key from an id they read (a query's conversation, a conversation's
// customer) escape it with core's LUA_SEG and take the rest of the key from the builders
// (keyAround): in a real Redis, every hostile id must give the very key the TypeScript builder gives.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keyAround, keysFor, LUA_SEG, seg } from '@steward/core';
import { createRedis } from './redis.ts';

const url = inject('redisUrl');
let redis: Redis;
beforeAll(() => {
  redis = createRedis(url);
});
afterAll(() => redis.disconnect());

const HOSTILE = ['plain', 'a:b', '%3A', '100%', 'x:%:y', '::', '%%', 'tg.5252:msgs', 'w.ü:中文%', ':', '%', 'a%25b', '{p}:conv:x', ''];

describe('LUA_SEG and keyAround', () => {
  it('escape every id in Redis as seg does', async () => {
    const out = (await redis.eval(`${LUA_SEG}\nlocal r = {}\nfor i = 1, #ARGV do r[i] = seg(ARGV[i]) end\nreturn r`, 0, ...HOSTILE)) as string[];
    expect(out).toEqual(HOSTILE.map(seg));
  });

  it('build the same keys as the builders for every hostile id', async () => {
    const keys = keysFor('{t}');
    const builders = [keys.conversation, keys.conversationMessages, keys.conversationNames];
    for (const build of builders) {
      const [head, tail] = keyAround(build);
      const out = (await redis.eval(`${LUA_SEG}\nlocal r = {}\nfor i = 3, #ARGV do r[i - 2] = ARGV[1] .. seg(ARGV[i]) .. ARGV[2] end\nreturn r`, 0, head, tail, ...HOSTILE)) as string[];
      expect(out).toEqual(HOSTILE.map((id) => build(id)));
    }
  });
});
