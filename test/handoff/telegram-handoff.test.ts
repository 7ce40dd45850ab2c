import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { jobIds } from '@steward/core';
import { createKeys, createQueues, createRedis, type Queues } from '@steward/store';
import type { Redis } from 'ioredis';
import { e2eData } from '../helpers/e2e-data.ts';
import { channels, post } from '../channels/harness.ts';
import { startPlatformDouble, type PlatformDouble } from '../channels/platform-double.ts';

// Human handoff end to end through a signed Telegram webhook: the customer asks for a person,
// an operator claims and answers twice through the API, the platform double records exactly what
// the customer receives (one message per reply, nothing from the agent meanwhile), the operator
// hands back and the agent answers the next message.
const url = inject('redisUrl');
const prefix = uniquePrefix('handoff_tg');
const ADMIN = 'handoff-admin-token';
let sys: RunningSystem;
let telegram: PlatformDouble;
let redis: Redis;
let queues: Queues;
const data = e2eData();
const hook = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'ho-secret' };
let updateId = 810000;

async function say(text: string): Promise<string> {
  const id = ++updateId;
  const update = JSON.stringify({
    update_id: id,
    message: { message_id: id, from: { id: 7771, is_bot: false, first_name: 'Ann' }, chat: { id: 7771, type: 'private' }, date: Math.floor(Date.now() / 1000), text },
  });
  expect((await post(`${sys.url}/v1/channels/telegram/webhook`, update, hook)).status).toBe(200);
  const queryId = await redis.get(createKeys(prefix).dedupe('telegram', 'telegram', String(id)));
  expect(queryId).toMatch(/^q_[0-9a-f]{22}$/);
  return queryId!;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function delivered(queryId: string): Promise<void> {
  await until(`delivery of ${queryId}`, async () => {
    const job = await queues.deliveries.getJob(jobIds.delivery(queryId));
    const state = job ? await job.getState() : 'missing';
    if (state === 'failed') throw new Error(`delivery of ${queryId} failed`);
    return state === 'completed';
  });
}

async function operator(path: string, body: unknown = {}, method = 'POST') {
  const res = await fetch(`${sys.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'x-operator': 'mei', ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const texts = () => telegram.received.map((r) => (r.body as { text: string }).text);

describe(`human handoff through Telegram (${data.source} data)`, () => {
  beforeAll(async () => {
    telegram = await startPlatformDouble();
    telegram.script('/bot42:HO/sendMessage', [{ status: 200, body: { ok: true, result: { message_id: 1 } } }]);
    const config: channels.ChannelsConfig = { telegram: { secretToken: 'ho-secret', botToken: '42:HO', apiBase: telegram.url } };
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      apiKeys: 'ho-api-key',
      adminToken: ADMIN,
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
      tracer: false,
      ingressPlugins: [channels.hardenInput(), channels.channelRoutes({ config })],
      deliveries: false,
      extraRoles: [channels.deliveryRole({ channels: config })],
    });
    redis = createRedis(url);
    queues = createQueues(redis, prefix);
  });
  afterAll(async () => {
    await queues?.close();
    redis?.disconnect();
    await sys?.close();
    await telegram?.close();
    await deletePrefix(url, prefix);
  });

  it('a person owns the conversation until they hand it back; each reply reaches the customer once', async () => {
    const asked = await say('I want to talk to a human please');
    await delivered(asked);
    expect(telegram.received).toHaveLength(1);

    const handoffId = await until('the handoff in the list', async () => {
      const list = (await operator('/v1/handoffs?state=open', undefined, 'GET')).json as { handoffs: { queryId: string; channel: string }[] };
      return list.handoffs.find((h) => h.queryId === asked)?.queryId;
    });

    // While the handoff waits and while the person answers, the agent says nothing.
    const held = await say('hello? is someone there?');
    expect(await redis.hget(`${prefix}:q:${held}`, 'status')).toBe('completed');

    expect((await operator(`/v1/handoffs/${handoffId}/claim`)).status).toBe(200);
    const r1 = await operator(`/v1/handoffs/${handoffId}/messages`, { text: 'Hi Ann, this is Mei. How can I help?', replyId: 'one' });
    const r1again = await operator(`/v1/handoffs/${handoffId}/messages`, { text: 'Hi Ann, this is Mei. How can I help?', replyId: 'one' });
    expect(r1.status).toBe(200);
    expect(r1again.json).toMatchObject({ duplicate: true });
    await delivered(r1.json.replyQueryId as string);
    await say('my parcel never arrived');
    const r2 = await operator(`/v1/handoffs/${handoffId}/messages`, { text: 'I have re-sent it today.' });
    await delivered(r2.json.replyQueryId as string);

    // Let any stray agent answer surface before counting.
    await new Promise((r) => setTimeout(r, 500));
    expect(texts().slice(1)).toEqual(['Hi Ann, this is Mei. How can I help?', 'I have re-sent it today.']);
    expect(await queues.deliveries.getJob(jobIds.delivery(held))).toBeUndefined();

    const detail = (await operator(`/v1/handoffs/${handoffId}`, undefined, 'GET')).json as { messages: { from: string; text: string }[]; context: { owner: string } };
    expect(detail.messages.map((m) => m.from)).toEqual(['customer', 'operator', 'customer', 'operator']);
    expect(detail.context.owner).toBe('person');

    expect((await operator(`/v1/handoffs/${handoffId}/hand-back`)).json).toMatchObject({ handoff: { state: 'returned' } });
    const next = await say(`What is the status of my order ${data.statusOrder.id}?`);
    await delivered(next);
    expect(telegram.received).toHaveLength(4);
    const view = (await (await fetch(`${sys.url}/v1/queries/${next}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { outcome: string; answer: string };
    expect(view.outcome).toBe('answered');
    expect(texts()[3]).toBe(view.answer);
  });
});
