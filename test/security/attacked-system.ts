// The running system the adversarial suites attack: every service in one process with the shop,
// the offline sim-llm, the platform adapters (signed as each platform signs) delivering to a
// platform double, and the web chat with its public key. Admission has its own suite
// (admission.test.ts): here one customer asks many questions.
import type { Redis } from 'ioredis';
import { createKeys, createRedis } from '@steward/store';
import { startSystem, type RunningSystem, type SystemOptions } from '@steward/system';
import { deletePrefix, freePort } from '@steward/testing';
import { startPlatformDouble, type PlatformDouble } from '../channels/platform-double.ts';
import { API_KEYS, KEYS, channels, channelsConfig } from './attacker.ts';

export interface AttackedSystem {
  sys: RunningSystem;
  platform: PlatformDouble;
  redis: Redis;
  /** Waits until the conversation's `count`-th query ends; returns its id. */
  settled(conversationId: string, count: number): Promise<string>;
  close(): Promise<void>;
}

export async function startAttackedSystem(o: {
  redisUrl: string;
  prefix: string;
  shopData: string;
  config?: SystemOptions['config'];
  /** Routes beside the channel adapters and the web chat. */
  morePlugins?: NonNullable<SystemOptions['ingressPlugins']>;
}): Promise<AttackedSystem> {
  const platform = await startPlatformDouble();
  platform.script('/bot7:SEC/sendMessage', [{ status: 200, body: { ok: true, result: { message_id: 1 } } }]);
  platform.script('/chat.postMessage', [{ status: 200, body: { ok: true } }]);
  const config = channelsConfig(platform.url);
  const sys = await startSystem({
    ...(o.config ? { config: o.config } : {}),
    redisUrl: o.redisUrl,
    prefix: o.prefix,
    shopData: o.shopData,
    apiKeys: API_KEYS,
    adminToken: KEYS.operator,
    ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
    logLevel: 'warn',
    tracer: false,
    ingressPlugins: [
      channels.hardenInput(),
      channels.channelRoutes({ config }),
      channels.webChat({ demoKey: KEYS.web }),
      ...(o.morePlugins ?? []),
    ],
    admit: false,
    deliveries: false,
    extraRoles: [channels.deliveryRole({ channels: config })],
  });
  const redis = createRedis(o.redisUrl);
  const keys = createKeys(o.prefix);
  return {
    sys,
    platform,
    redis,
    async settled(conversationId, count) {
      const until = Date.now() + 30_000;
      for (;;) {
        const ids = await redis.lrange(keys.conversationQueries(conversationId), 0, -1);
        const last = ids[count - 1];
        if (last && /^(completed|failed)$/.test((await redis.hget(keys.query(last), 'status')) ?? '')) return last;
        if (Date.now() > until) throw new Error(`conversation ${conversationId} did not settle: ${ids.join(',')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      redis.disconnect();
      await sys.close();
      await platform.close();
      await deletePrefix(o.redisUrl, o.prefix);
    },
  };
}
