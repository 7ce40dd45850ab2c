// Finding 8 (platform input): through the real adapters, signed as the platforms sign:
// - a WhatsApp/Telegram message older than the accepted age (a capture replayed after its
//   de-duplication record expired) is acknowledged and not processed;
// - a message of 4,001–4,096 characters (allowed by the platform, over steward's limit) is cut
//   with a note and answered, and never fails the other messages of its WhatsApp batch.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULTS } from '@steward/core';
import { ConversationStore, createKeys } from '@steward/store';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { channels, post, startTestIngress, type TestIngress } from '../channels/harness.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('sec-input');
const META_SECRET = 'sec-meta-app-secret';
const TG_TOKEN = 'sec-tg-secret_token';
const config: channels.ChannelsConfig = {
  whatsapp: { appSecret: META_SECRET, verifyToken: 'v', apiBase: 'http://127.0.0.1:1' },
  telegram: { secretToken: TG_TOKEN, apiBase: 'http://127.0.0.1:1' },
};
const nowSec = (): number => Math.floor(Date.now() / 1000);
let t: TestIngress;

const waMessage = (id: string, from: string, body: string, sentAt = nowSec()) => ({ from, id, timestamp: String(sentAt), type: 'text', text: { body } });
const waPayload = (messages: object[]) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: '106540352242922' }, messages } }] }],
});
const postWhatsApp = (body: object) => {
  const raw = JSON.stringify(body);
  return post(`${t.url}/v1/channels/whatsapp/webhook`, raw, { 'content-type': 'application/json', 'x-hub-signature-256': channels.signMeta(META_SECRET, Buffer.from(raw)) });
};
const postTelegram = (updateId: number, chat: number, text: string, date = nowSec()) =>
  post(
    `${t.url}/v1/channels/telegram/webhook`,
    JSON.stringify({ update_id: updateId, message: { message_id: updateId, from: { id: chat, is_bot: false }, chat: { id: chat, type: 'private' }, date, text } }),
    { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_TOKEN },
  );
const waConversation = (from: string) => `wa.${createHash('sha256').update(`106540352242922:${from}`).digest('hex').slice(0, 32)}`;
const lastText = async (conversationId: string): Promise<string | undefined> => {
  const c = await new ConversationStore(t.redis, createKeys(prefix)).get(conversationId);
  return c.messages.at(-1)?.content ?? undefined;
};

beforeAll(async () => {
  t = await startTestIngress(url, prefix, { plugins: [channels.hardenInput(), channels.channelRoutes({ config })] });
});
afterAll(async () => {
  await t?.close();
  await deletePrefix(url, prefix);
});

describe('platform message age (finding 8)', () => {
  it('the accepted age stays below the de-duplication window', () => {
    expect(channels.CHANNEL_LIMITS.messageMaxAgeSec).toBeLessThan(DEFAULTS.dedupeTtlSec);
    expect(() => channels.channelRoutes({ config, maxMessageAgeSec: DEFAULTS.dedupeTtlSec })).toThrow(/de-duplication window/);
  });

  it('a WhatsApp message replayed after the dedupe window is acknowledged and not processed', async () => {
    const before = (await t.queryIds()).length;
    const old = nowSec() - DEFAULTS.dedupeTtlSec - 60;
    const r = await postWhatsApp(waPayload([waMessage('wamid.old-1', '16505550001', 'cancel my order', old)]));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, accepted: 0, skipped: [{ messageId: 'wamid.old-1', code: 'message_too_old' }] });
    expect((await t.queryIds()).length).toBe(before);
  });

  it('a stale Telegram update is acknowledged and not processed; a fresh one is', async () => {
    const before = (await t.queryIds()).length;
    const stale = await postTelegram(9001, 7001, 'yes', nowSec() - channels.CHANNEL_LIMITS.messageMaxAgeSec - 10);
    expect(stale.status).toBe(200);
    expect(stale.json).toMatchObject({ ok: true, ignored: 'message_too_old' });
    const future = await postTelegram(9002, 7001, 'yes', nowSec() + 3_600);
    expect(future.json).toMatchObject({ ok: true, ignored: 'message_too_old' });
    expect((await t.queryIds()).length).toBe(before);
    const fresh = await postTelegram(9003, 7001, 'where is my order?');
    expect(fresh.json).toMatchObject({ ok: true, duplicate: false });
    expect((await t.queryIds()).length).toBe(before + 1);
  });
});

describe('too-long platform messages (finding 8)', () => {
  it('a 4,096-character WhatsApp message is cut with a note and does not fail its batch', async () => {
    const before = (await t.queryIds()).length;
    const long = `${'请帮我查一下订单 #W2611340 '.repeat(300)}`.slice(0, 4_096);
    const r = await postWhatsApp(
      waPayload([waMessage('wamid.long-1', '16505550002', long), waMessage('wamid.short-1', '16505550003', 'where is my order #W2611340?')]),
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, accepted: 2 });
    expect((await t.queryIds()).length).toBe(before + 2);
    const stored = (await lastText(waConversation('16505550002'))) ?? '';
    expect(stored.length).toBeLessThanOrEqual(channels.CHANNEL_LIMITS.messageMaxChars);
    expect(stored).toContain(`had ${long.length} characters`);
    expect(stored.startsWith(long.slice(0, 1_000))).toBe(true);
    expect(await lastText(waConversation('16505550003'))).toBe('where is my order #W2611340?');
    // The platform's retry of the same batch is de-duplicated, not failed.
    const retry = await postWhatsApp(
      waPayload([waMessage('wamid.long-1', '16505550002', long), waMessage('wamid.short-1', '16505550003', 'where is my order #W2611340?')]),
    );
    expect(retry.status).toBe(200);
    expect((await t.queryIds()).length).toBe(before + 2);
  });

  it('a 4,001-character Telegram message with a surrogate pair at the cut is answered', async () => {
    const text = `${'a'.repeat(3_900)}${'😀'.repeat(60)}`.slice(0, 4_001);
    const r = await postTelegram(9100, 7002, text);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, duplicate: false, truncated: true });
    const stored = (await lastText('tg.7002.7002')) ?? '';
    expect(stored.isWellFormed()).toBe(true);
    expect(stored).toContain('only the first');
  });

  it('a blank message in a batch is skipped without dropping the others', async () => {
    const r = await postWhatsApp(waPayload([waMessage('wamid.blank-1', '16505550004', '   '), waMessage('wamid.ok-2', '16505550005', 'hello')]));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, accepted: 1, skipped: [{ messageId: 'wamid.blank-1', code: 'invalid_request' }] });
  });
});
