import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKeys, createRedis } from '@steward/store';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { eventObservations } from '@steward/telemetry';
import { IdentityAttempts } from './identity-attempts.ts';

// The attempt limit against a real Redis: per conversation, per principal, windows that expire.
const url = inject('redisUrl');
const prefix = uniquePrefix('idv');
const keys = createKeys(prefix);
let redis: ReturnType<typeof createRedis>;

beforeAll(() => {
  redis = createRedis(url);
});
afterAll(async () => {
  redis.disconnect();
  await deletePrefix(url, prefix);
});

describe('IdentityAttempts', () => {
  it('locks a conversation after its fifth failure, leaving other conversations open', async () => {
    const ids = new IdentityAttempts(redis, keys, { perPrincipal: 1000 });
    for (let i = 0; i < 5; i++) {
      expect(await ids.allowed('c1', 'web')).toBe(true);
      await ids.failed('c1', 'web');
    }
    expect(await ids.allowed('c1', 'web')).toBe(false);
    expect(await ids.allowed('c2', 'web')).toBe(true);
  });

  it('locks a principal that rotates conversations, leaving other principals open', async () => {
    const ids = new IdentityAttempts(redis, keys, { perPrincipal: 3 });
    for (let i = 0; i < 3; i++) await ids.failed(`rot-${i}`, 'rotator');
    expect(await ids.allowed('rot-fresh', 'rotator')).toBe(false);
    expect(await ids.allowed('rot-fresh', 'api')).toBe(true);
  });

  it('forgets failures when the window ends (it starts at the first failure)', async () => {
    const ids = new IdentityAttempts(redis, keys, { perConversation: 1, conversationWindowSec: 1 });
    await ids.failed('c-window', undefined);
    expect(await ids.allowed('c-window', undefined)).toBe(false);
    expect(await redis.ttl(keys.identityFailures('conversation', 'c-window'))).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await ids.allowed('c-window', undefined)).toBe(true);
  });

  it('counts a locked verification in its own metric', () => {
    const data = {
      turn: 0,
      index: 0,
      callId: 'x',
      spanId: 's',
      name: 'find_user_id_by_email',
      startMs: 1,
      endMs: 2,
      cacheHit: false,
      ok: false,
    };
    const event = (errorType: string) => ({
      id: 'e',
      type: 'tool.call',
      queryId: 'q',
      conversationId: 'c',
      traceId: 't',
      ts: 1,
      data: { ...data, errorType },
    });
    const names = (errorType: string) => eventObservations(event(errorType) as never).map((o) => o.name);
    expect(names('identity_locked')).toContain('steward_identity_verification_locked_total');
    expect(names('tool_error')).not.toContain('steward_identity_verification_locked_total');
  });
});
