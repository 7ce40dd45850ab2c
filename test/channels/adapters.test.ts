import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { channels, post, startTestIngress, type TestIngress } from './harness.ts';

// Each platform's documented request format, signed as the platform signs it, against a real
// ingress on a private Redis prefix (no workers run: accepted messages stay queued).
const url = inject('redisUrl');
const prefix = uniquePrefix('chan');
const config: channels.ChannelsConfig = {
  slack: { signingSecret: 'slack-signing-secret', apiBase: 'http://127.0.0.1:1' },
  whatsapp: { appSecret: 'meta-app-secret', verifyToken: 'meta-verify-token', apiBase: 'http://127.0.0.1:1' },
  telegram: { secretToken: 'tg-secret_token', apiBase: 'http://127.0.0.1:1' },
  webhooks: { secrets: { shopify: 'shopify-shared-secret' }, callbacks: {} },
  toleranceSec: 300,
};
let t: TestIngress;
const now = () => Math.floor(Date.now() / 1000);

function slackRequest(body: object, o: { ts?: number; secret?: string; retry?: string } = {}) {
  const raw = JSON.stringify(body);
  const ts = String(o.ts ?? now());
  return {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': channels.signSlack(o.secret ?? 'slack-signing-secret', ts, Buffer.from(raw)),
      ...(o.retry ? { 'x-slack-retry-num': o.retry, 'x-slack-retry-reason': 'http_timeout' } : {}),
    },
  };
}

const slackEvent = (eventId: string, event: object) => ({
  token: 'legacy-verification-token',
  team_id: 'T061EG9R6',
  api_app_id: 'A0PNCHHK2',
  event,
  type: 'event_callback',
  event_id: eventId,
  event_time: 1700000000,
  authorizations: [{ team_id: 'T061EG9R6', user_id: 'U0BOT', is_bot: true }],
});

function webhookRequest(channel: string, body: object, o: { ts?: number; secret?: string } = {}) {
  const raw = JSON.stringify(body);
  const ts = String(o.ts ?? now());
  return {
    url: `${t.url}/v1/channels/webhook/${channel}`,
    raw,
    headers: {
      'content-type': 'application/json',
      'x-steward-timestamp': ts,
      'x-steward-signature': channels.signWebhook(o.secret ?? 'shopify-shared-secret', ts, raw),
    },
  };
}

describe('channel adapters on a real ingress', () => {
  beforeAll(async () => {
    t = await startTestIngress(url, prefix, { plugins: [channels.hardenInput(), channels.channelRoutes({ config })] });
  });
  afterAll(async () => {
    await t?.close();
    await deletePrefix(url, prefix);
  });

  describe('Slack', () => {
    it('answers the url_verification challenge (signed)', async () => {
      const r = slackRequest({ token: 'x', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' });
      const res = await post(`${t.url}/v1/channels/slack/events`, r.raw, r.headers);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    });

    it('accepts a user message once, however many times Slack retries it', async () => {
      const before = new Set(await t.queryIds());
      const body = slackEvent('Ev0PV52K21', { type: 'message', channel: 'C2147483705', user: 'U2147483697', text: 'Where is order #W2611340?', ts: '1355517523.000005', channel_type: 'channel' });
      const first = slackRequest(body);
      expect((await post(`${t.url}/v1/channels/slack/events`, first.raw, first.headers)).status).toBe(200);
      // Slack's retries carry X-Slack-Retry-Num and a fresh signature.
      for (const n of ['1', '2']) {
        const retry = slackRequest(body, { retry: n });
        const res = await post(`${t.url}/v1/channels/slack/events`, retry.raw, retry.headers);
        expect(res.status).toBe(200);
        expect(res.json).toMatchObject({ ok: true, retry: true });
      }
      // The same event again without the retry header: de-duplicated on event_id.
      const again = slackRequest(body);
      expect((await post(`${t.url}/v1/channels/slack/events`, again.raw, again.headers)).json).toMatchObject({ ok: true, duplicate: true });
      const added = (await t.queryIds()).filter((id) => !before.has(id));
      expect(added).toHaveLength(1);
      const rec = await t.redis.hgetall(`${prefix}:q:${added[0]}`);
      expect(rec).toMatchObject({ channel: 'slack', messageId: 'Ev0PV52K21', recipient: 'C2147483705', conversationId: 'slack.T061EG9R6.C2147483705.U2147483697' });
    });

    it('processes a retry whose first delivery never reached us', async () => {
      const before = (await t.queryIds()).length;
      const r = slackRequest(slackEvent('Ev0LOST0001', { type: 'message', channel: 'C0LOST', user: 'U1', text: 'hello', ts: '1.1' }), { retry: '1' });
      expect((await post(`${t.url}/v1/channels/slack/events`, r.raw, r.headers)).json).toMatchObject({ ok: true, duplicate: false });
      expect((await t.queryIds()).length).toBe(before + 1);
    });

    it('ignores bot messages and message subtypes (no reply loops)', async () => {
      const before = (await t.queryIds()).length;
      for (const event of [
        { type: 'message', subtype: 'bot_message', bot_id: 'B1', text: 'our answer', channel: 'C1', ts: '1.2' },
        { type: 'message', bot_id: 'B1', user: 'U0BOT', text: 'our answer', channel: 'C1', ts: '1.3' },
        { type: 'message', subtype: 'message_changed', channel: 'C1', ts: '1.4' },
      ]) {
        const r = slackRequest(slackEvent(`EvBOT${event.ts}`, event));
        const res = await post(`${t.url}/v1/channels/slack/events`, r.raw, r.headers);
        expect(res.status).toBe(200);
        expect(res.json).toMatchObject({ ok: true, ignored: expect.any(String) });
      }
      expect((await t.queryIds()).length).toBe(before);
    });

    it('refuses forged, expired and unsigned requests with 401 and a stable code', async () => {
      const body = slackEvent('EvFORGED01', { type: 'message', channel: 'C1', user: 'U1', text: 'hi', ts: '2.1' });
      const forged = slackRequest(body, { secret: 'not-the-secret' });
      expect((await post(`${t.url}/v1/channels/slack/events`, forged.raw, forged.headers)).json.error?.code).toBe('invalid_signature');
      const expired = slackRequest(body, { ts: now() - 301 });
      const res = await post(`${t.url}/v1/channels/slack/events`, expired.raw, expired.headers);
      expect(res.status).toBe(401);
      expect(res.json.error?.code).toBe('stale_timestamp');
      const unsigned = await post(`${t.url}/v1/channels/slack/events`, JSON.stringify(body), { 'content-type': 'application/json' });
      expect(unsigned.status).toBe(401);
      expect(unsigned.json.error?.code).toBe('missing_signature');
      // A valid signature over other bytes than were sent (body tampered in transit).
      const ok = slackRequest(body);
      const tampered = await post(`${t.url}/v1/channels/slack/events`, ok.raw.replace('"hi"', '"hi!"'), ok.headers);
      expect(tampered.json.error?.code).toBe('invalid_signature');
    });
  });

  describe('WhatsApp Cloud API', () => {
    const sign = (raw: string, secret = 'meta-app-secret') => ({
      'content-type': 'application/json',
      'x-hub-signature-256': channels.signMeta(secret, Buffer.from(raw)),
    });
    const payload = (messages: object[], statuses?: object[]) => ({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
                contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
                ...(messages.length ? { messages } : {}),
                ...(statuses ? { statuses } : {}),
              },
              field: 'messages',
            },
          ],
        },
      ],
    });

    it('completes the subscription handshake with the verify token only', async () => {
      const ok = await fetch(`${t.url}/v1/channels/whatsapp/webhook?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meta-verify-token`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('1158201444');
      const bad = await fetch(`${t.url}/v1/channels/whatsapp/webhook?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess`);
      expect(bad.status).toBe(403);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('verify_token_mismatch');
    });

    it('accepts a signed text message once, acknowledges status callbacks, refuses bad signatures', async () => {
      const before = (await t.queryIds()).length;
      // Meta sends non-ASCII escaped; the signature covers these exact bytes.
      const raw = JSON.stringify(
        payload([{ from: '16505551234', id: 'wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: '我的订单在哪？' } }]),
      ).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      const first = await post(`${t.url}/v1/channels/whatsapp/webhook`, raw, sign(raw));
      expect(first.status).toBe(200);
      expect(first.json).toMatchObject({ ok: true, accepted: 1 });
      expect((await post(`${t.url}/v1/channels/whatsapp/webhook`, raw, sign(raw))).status).toBe(200);
      const ids = await t.queryIds();
      expect(ids.length).toBe(before + 1);

      const status = JSON.stringify(payload([], [{ id: 'wamid.X', status: 'delivered', timestamp: '1749416400', recipient_id: '16505551234' }]));
      expect((await post(`${t.url}/v1/channels/whatsapp/webhook`, status, sign(status))).json).toMatchObject({ ok: true, ignored: expect.any(String) });

      const forged = await post(`${t.url}/v1/channels/whatsapp/webhook`, raw, sign(raw, 'wrong'));
      expect(forged.status).toBe(401);
      expect(forged.json.error?.code).toBe('invalid_signature');
      expect((await t.queryIds()).length).toBe(before + 1);
    });
  });

  describe('Telegram', () => {
    const update = (id: number, text: string) => ({
      update_id: id,
      message: { message_id: 5, from: { id: 111, is_bot: false, first_name: 'Li' }, chat: { id: 111, first_name: 'Li', type: 'private' }, date: Math.floor(Date.now() / 1000), text },
    });
    it('accepts an update carrying the secret token, once per update_id', async () => {
      const before = (await t.queryIds()).length;
      const raw = JSON.stringify(update(900001, 'hello'));
      const h = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'tg-secret_token' };
      expect((await post(`${t.url}/v1/channels/telegram/webhook`, raw, h)).json).toMatchObject({ ok: true, duplicate: false });
      expect((await post(`${t.url}/v1/channels/telegram/webhook`, raw, h)).json).toMatchObject({ ok: true, duplicate: true });
      expect((await t.queryIds()).length).toBe(before + 1);
    });
    it('refuses a wrong or missing secret token', async () => {
      const raw = JSON.stringify(update(900002, 'hello'));
      const wrong = await post(`${t.url}/v1/channels/telegram/webhook`, raw, { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'tg-secret_tokeN' });
      expect(wrong.status).toBe(401);
      expect(wrong.json.error?.code).toBe('invalid_signature');
      const none = await post(`${t.url}/v1/channels/telegram/webhook`, raw, { 'content-type': 'application/json' });
      expect(none.json.error?.code).toBe('missing_signature');
    });
  });

  describe('generic signed webhook', () => {
    it('accepts a signed message with 202 and its query id', async () => {
      const r = webhookRequest('shopify', { text: 'Where is my parcel?', messageId: 'shp-1', customerId: 'james_li_5688', recipient: 'chat-77' });
      const res = await post(r.url, r.raw, r.headers);
      expect(res.status).toBe(202);
      expect(res.json).toMatchObject({ status: 'queued', duplicate: false, queryId: expect.any(String) });
      const rec = await t.redis.hgetall(`${prefix}:q:${String(res.json.queryId)}`);
      expect(rec).toMatchObject({ channel: 'shopify', customerId: 'james_li_5688', recipient: 'chat-77', messageId: 'shp-1' });
    });

    it('refuses the exact same signed request replayed within the tolerance', async () => {
      const r = webhookRequest('shopify', { text: 'hi', messageId: 'shp-2' });
      expect((await post(r.url, r.raw, r.headers)).status).toBe(202);
      const replay = await post(r.url, r.raw, r.headers);
      expect(replay.status).toBe(401);
      expect(replay.json.error?.code).toBe('replayed_request');
    });

    it('refuses expired, forged and unknown-channel requests', async () => {
      const old = webhookRequest('shopify', { text: 'hi', messageId: 'shp-3' }, { ts: now() - 3600 });
      expect((await post(old.url, old.raw, old.headers)).json.error?.code).toBe('stale_timestamp');
      const forged = webhookRequest('shopify', { text: 'hi', messageId: 'shp-4' }, { secret: 'guess' });
      expect((await post(forged.url, forged.raw, forged.headers)).json.error?.code).toBe('invalid_signature');
      for (const ch of ['unknown', 'constructor', '__proto__', 'api']) {
        const u = webhookRequest(ch, { text: 'hi', messageId: 'shp-5' });
        const res = await post(u.url, u.raw, u.headers);
        expect(res.status).toBe(401);
        expect(res.json.error?.code).toBe('unknown_channel');
      }
    });

    it('answers 400 to a signed but malformed message', async () => {
      const r = webhookRequest('shopify', { text: 42, messageId: 'shp-6' });
      const res = await post(r.url, r.raw, r.headers);
      expect(res.status).toBe(400);
      expect(res.json.error?.code).toBe('invalid_request');
    });
  });
});
