import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { API_KEYS, KEYS, api, channels, channelsConfig, telegramUpdate } from './attacker.ts';

// Finding 6: rate limits keyed on caller-chosen fields, and no admission at all in the
// all-in-one system. Here the system is started as `./steward demo` starts it (no `admit`
// option: the ingress's own admission from the environment), with small buckets.
const url = inject('redisUrl');
const prefix = uniquePrefix('sec-admit');
let sys: RunningSystem;
const saved = { ...process.env };

describe('admission in the all-in-one system (finding 6)', () => {
  beforeAll(async () => {
    Object.assign(process.env, {
      RATE_PRINCIPAL_PER_SEC: '0.01',
      RATE_PRINCIPAL_BURST: '4',
      RATE_CUSTOMER_PER_SEC: '0.01',
      RATE_CUSTOMER_BURST: '2',
      RATE_CHANNEL_PER_SEC: '0',
    });
    sys = await startSystem({
      redisUrl: url,
      prefix,
      apiKeys: API_KEYS,
      adminToken: KEYS.operator,
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
      tracer: false,
      deliveries: false,
      ingressPlugins: [
        channels.hardenInput(),
        channels.channelRoutes({ config: channelsConfig('http://127.0.0.1:1') }),
      ],
    });
  });
  afterAll(async () => {
    process.env = saved;
    await sys?.close();
    await deletePrefix(url, prefix);
  });

  it('counts every message of a principal, however the body rotates its ids', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await api.post(sys.url, KEYS.web, {
        channel: 'web',
        conversationId: `rotate-${i}-${Date.now()}`,
        messageId: `m-${i}`,
        text: 'hello',
      });
      codes.push(r.status);
      if (r.status === 429) expect(r.body.error?.code).toBe('rate_limited');
    }
    expect(codes).toEqual([202, 202, 202, 202, 429, 429]);
    // Another principal keeps its own bucket.
    expect((await api.post(sys.url, KEYS.api, { text: 'hello' })).status).toBe(202);
  });

  it('counts a platform user across chats (the verified sender, not the chat or a recipient)', async () => {
    const user = 31_337;
    const first = await telegramUpdate(sys.url, { chat: -1_001, user, text: 'hello' });
    const second = await telegramUpdate(sys.url, { chat: -1_002, user, text: 'hello' });
    const third = await telegramUpdate(sys.url, { chat: -1_003, user, text: 'hello' });
    expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
    // Another member of the same group is not held back.
    expect((await telegramUpdate(sys.url, { chat: -1_003, user: user + 1, text: 'hello' })).status).toBe(200);
  });
});
