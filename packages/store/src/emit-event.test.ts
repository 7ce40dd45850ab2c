import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { createRedis } from './redis.ts';
import { emitEvent, emitEventThenRead, readQueryEvents } from './events.ts';

// The event script against a real Redis: the plain write, and the write followed by a read of a
// hash in the same script (the reasoning-worker's fresh read of its query after the model call).
const url = inject('redisUrl');
const prefix = uniquePrefix('emit');
const keys = createKeys(prefix);
let redis: Redis;

beforeAll(() => {
  redis = createRedis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

const decision = (queryId: string, n: number) =>
  ({ id: `${queryId}:t${n}:loop`, type: 'control.decision', queryId, conversationId: 'c1', data: { kind: 'loop_warning', detail: 'same_tool', turn: n }, ts: 10 + n }) as const;

describe('emitEventThenRead', () => {
  it('writes the event as emitEvent does and answers the hash as it is after the write', async () => {
    const queryId = 'q_emit1';
    await redis.hset(keys.query(queryId), { queryId, status: 'running', turn: '1' });
    await emitEvent(redis, keys, decision(queryId, 0));
    const h = await emitEventThenRead(redis, keys, decision(queryId, 1), keys.query(queryId));
    expect(h).toEqual({ queryId, status: 'running', turn: '1' });
    const events = await readQueryEvents(redis, keys, queryId);
    expect(events.map((e) => e.id)).toEqual([`${queryId}:t0:loop`, `${queryId}:t1:loop`]);
    expect(await redis.ttl(keys.queryEvents(queryId))).toBeGreaterThan(0);
    const stream = await redis.xrange(keys.events, '-', '+');
    expect(stream.map(([, f]) => JSON.parse(f[1]!).id)).toEqual(events.map((e) => e.id));
  });

  it('answers {} for a hash that does not exist, and still writes the event', async () => {
    const h = await emitEventThenRead(redis, keys, decision('q_emit2', 0), keys.query('q_emit2'));
    expect(h).toEqual({});
    expect((await readQueryEvents(redis, keys, 'q_emit2')).map((e) => e.id)).toEqual(['q_emit2:t0:loop']);
  });
});
