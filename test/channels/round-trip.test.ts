import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { e2eData } from '../helpers/e2e-data.ts';
import { jobIds } from '@steward/core';
import { createKeys, createQueues, createRedis } from '@steward/store';
import { channels, post } from './harness.ts';
import { startPlatformDouble, type PlatformDouble } from './platform-double.ts';

// The whole loop of a push channel: a signed Telegram update → ingress adapter → the ReAct
// pipeline → the controller's `deliveries` job → the delivery worker → Telegram's sendMessage
// (a real local HTTP server standing in for api.telegram.org).
const url = inject('redisUrl');
const prefix = uniquePrefix('roundtrip');
let sys: RunningSystem;
let telegram: PlatformDouble;
const data = e2eData();

describe(`Telegram round trip through the whole system (${data.source} data)`, () => {
  beforeAll(async () => {
    telegram = await startPlatformDouble();
    const config: channels.ChannelsConfig = { telegram: { secretToken: 'rt-secret', botToken: '42:RT', apiBase: telegram.url } };
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      apiKeys: 'rt-api-key',
      // Telegram's queries belong to the Telegram principal: the test reads them as an operator.
      adminToken: 'rt-operator',
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
      tracer: false,
      ingressPlugins: [channels.hardenInput(), channels.channelRoutes({ config })],
      deliveries: false,
      extraRoles: [channels.deliveryRole({ channels: config })],
    });
  });
  afterAll(async () => {
    await sys?.close();
    await telegram?.close();
    await deletePrefix(url, prefix);
  });

  it('answers the customer in their Telegram chat exactly once', async () => {
    telegram.script('/bot42:RT/sendMessage', [{ status: 200, body: { ok: true, result: { message_id: 9 } } }]);
    const update = JSON.stringify({
      update_id: 700001,
      message: { message_id: 3, from: { id: 5551, is_bot: false, first_name: 'James' }, chat: { id: 5551, type: 'private' }, date: Math.floor(Date.now() / 1000), text: `What is the status of my order ${data.statusOrder.id}?` },
    });
    const h = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'rt-secret' };
    expect((await post(`${sys.url}/v1/channels/telegram/webhook`, update, h)).status).toBe(200);
    // Telegram retries an update it thinks failed: the same update again must not answer twice.
    expect((await post(`${sys.url}/v1/channels/telegram/webhook`, update, h)).json).toMatchObject({ duplicate: true });

    const redis = createRedis(url);
    const queues = createQueues(redis, prefix);
    try {
      const queryId = await redis.get(createKeys(prefix).dedupe('telegram', 'telegram', '700001'));
      expect(queryId).toMatch(/^q_[0-9a-f]{22}$/);
      // Wait for the delivery job itself to end, then count what the platform received.
      const until = Date.now() + 30_000;
      let state = 'missing';
      while (state !== 'completed' && state !== 'failed' && Date.now() < until) {
        const job = await queues.deliveries.getJob(jobIds.delivery(queryId!));
        state = job ? await job.getState() : 'missing';
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(state).toBe('completed');
      expect(telegram.received).toHaveLength(1);
      const q = await fetch(`${sys.url}/v1/queries/${queryId}`, { headers: { authorization: 'Bearer rt-operator' } });
      const view = (await q.json()) as { answer: string; status: string };
      expect(view.status).toBe('completed');
      expect(telegram.received[0]!.body).toEqual({ chat_id: '5551', text: view.answer });
      expect(view.answer.length).toBeGreaterThan(0);
    } finally {
      await queues.close();
      redis.disconnect();
    }
  });
});
