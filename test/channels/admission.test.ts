import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { channels, post, startTestIngress, type TestIngress } from './harness.ts';

// Admission control wired as the ingress `admit` hook: a refusal is a 429 with Retry-After, on
// the API and on a platform webhook alike, and nothing is written or enqueued for it.
const url = inject('redisUrl');
const prefix = uniquePrefix('admit-x');
const KEY = 'admission-key';
let t: TestIngress;
let admission: { admit: channels.Admit; close(): Promise<void> };

describe('admission control on a real ingress', () => {
  beforeAll(async () => {
    admission = await channels.startAdmission({ redisUrl: url, prefix, perCustomer: { rate: 0.01, burst: 2 }, maxBacklog: 1000 });
    t = await startTestIngress(url, prefix, {
      apiKeys: KEY,
      admit: admission.admit,
      plugins: [channels.hardenInput(), channels.channelRoutes({ config: { telegram: { secretToken: 'tg', apiBase: 'http://127.0.0.1:1' } } })],
    });
  });
  afterAll(async () => {
    await t?.close();
    await admission?.close();
    await deletePrefix(url, prefix);
  });

  it('answers 429 with Retry-After once a customer spent the burst, and enqueues nothing for it', async () => {
    const send = (n: number) =>
      post(`${t.url}/v1/messages`, JSON.stringify({ customerId: 'james_li_5688', text: `question ${n}`, conversationId: `conv-rl-${n}` }), {
        'content-type': 'application/json',
        authorization: `Bearer ${KEY}`,
      });
    expect((await send(1)).status).toBe(202);
    expect((await send(2)).status).toBe(202);
    const jobsBefore = await t.jobTotal();
    const queriesBefore = (await t.queryIds()).length;
    const refused = await send(3);
    expect(refused.status).toBe(429);
    expect(refused.json.error?.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await t.jobTotal()).toBe(jobsBefore);
    expect((await t.queryIds()).length).toBe(queriesBefore);
  });

  it('limits a platform user the same way (keyed by chat), so the platform retries later', async () => {
    const update = (id: number) =>
      JSON.stringify({ update_id: id, message: { message_id: id, chat: { id: 4242, type: 'private' }, from: { id: 4242, is_bot: false }, text: 'hi' } });
    const h = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'tg' };
    expect((await post(`${t.url}/v1/channels/telegram/webhook`, update(1), h)).status).toBe(200);
    expect((await post(`${t.url}/v1/channels/telegram/webhook`, update(2), h)).status).toBe(200);
    const queriesBefore = (await t.queryIds()).length;
    const refused = await post(`${t.url}/v1/channels/telegram/webhook`, update(3), h);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await t.queryIds()).length).toBe(queriesBefore);
    // Another chat is not affected by this one's burst.
    const other = JSON.stringify({ update_id: 4, message: { message_id: 4, chat: { id: 777, type: 'private' }, text: 'hi' } });
    expect((await post(`${t.url}/v1/channels/telegram/webhook`, other, h)).status).toBe(200);
  });
});
