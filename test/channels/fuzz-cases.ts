// Generators of malformed and hostile requests for the fuzz test. Every generator is invalid by
// construction (a request that could be accepted would enqueue work and is never produced).
import { channels } from './harness.ts';
import { mulberry32 } from '@steward/core';

export interface FuzzRequest {
  kind: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface FuzzContext {
  apiKey: string;
  slackSecret: string;
  metaSecret: string;
  telegramToken: string;
  webhookChannel: string;
  webhookSecret: string;
}

/** A seeded PRNG (mulberry32): a failing case can be reproduced from its seed. */
export const prng = mulberry32;

export function createFuzzer(rand: () => number, c: FuzzContext) {
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const now = () => Math.floor(Date.now() / 1000);
  const json = { 'content-type': 'application/json' };
  const auth = { ...json, authorization: `Bearer ${c.apiKey}` };
  const randomText = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('');
  const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));

  /** Bodies of POST /v1/messages that must each be refused with a 4xx. */
  const badMessageBodies: (() => { kind: string; body: Buffer; headers?: Record<string, string> })[] = [
    () => ({ kind: 'bad-json', body: Buffer.from(JSON.stringify({ text: 'hello', customerId: 'c1' }).slice(0, 1 + int(30))) }),
    () => ({ kind: 'bad-json', body: Buffer.from(pick(['{', '}', '[', 'nul', 'tru', '{"text":}', '{"text":"a",}', "{'text':'a'}", '{"text":"a"} x', '\u0000', ' '])) }),
    () => ({ kind: 'random-bytes', body: randomBytes(1 + int(200)) }),
    () => ({ kind: 'wrong-type', body: Buffer.from(JSON.stringify({ text: pick([42, null, true, [], {}, ['a'], 1e308]) })) }),
    () => ({ kind: 'wrong-type', body: Buffer.from(JSON.stringify(pick([[], 'text', 42, null, [{ text: 'a' }]]))) }),
    () => ({ kind: 'wrong-field', body: Buffer.from(JSON.stringify({ text: 'hi', channel: pick(['Slack', 'a b', '', 'x'.repeat(65), 7]) })) }),
    () => ({ kind: 'wrong-field', body: Buffer.from(JSON.stringify({ text: 'hi', conversationId: pick(['a b', '', '../../etc', 'x'.repeat(129), '<script>']) })) }),
    () => ({ kind: 'wrong-field', body: Buffer.from(JSON.stringify({ text: 'hi', customerId: pick(['a b', '', 'x'.repeat(200), 'é']) })) }),
    () => ({ kind: 'unknown-field', body: Buffer.from(JSON.stringify({ text: 'hi', [`f${int(1000)}`]: 1 })) }),
    () => ({ kind: 'empty-text', body: Buffer.from(JSON.stringify({ text: pick(['', ' ', '\n\t ']) })) }),
    () => ({ kind: 'huge-text', body: Buffer.from(JSON.stringify({ text: randomText(4001 + int(20_000)) })) }),
    () => ({ kind: 'huge-field', body: Buffer.from(JSON.stringify({ text: 'hi', messageId: 'm'.repeat(257 + int(5000)) })) }),
    () => ({ kind: 'huge-body', body: Buffer.from(JSON.stringify({ text: 'hi', pad: 'x'.repeat(70_000 + int(300_000)) })) }),
    () => ({ kind: 'invalid-utf8', body: Buffer.concat([Buffer.from('{"text":"'), Buffer.from(pick([[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]])), Buffer.from('"}')]) }),
    () => ({ kind: 'lone-surrogate', body: Buffer.from(`{"text":"hi \\ud${pick(['800', 'bff', 'c00', 'fff'])} there"}`) }),
    () => ({ kind: 'nul-char', body: Buffer.from('{"text":"hi\\u0000there"}') }),
    () => ({ kind: 'deep-nesting', body: Buffer.from(`{"text":"hi","a":${'['.repeat(17 + int(50_000))}`) }),
    () => {
      const d = 17 + int(500);
      return { kind: 'deep-nesting', body: Buffer.from(`{"text":"hi","a":${'['.repeat(d)}${']'.repeat(d)}}`) };
    },
    () => ({ kind: 'many-fields', body: Buffer.from(JSON.stringify(Object.fromEntries(Array.from({ length: 1001 + int(3000) }, (_, i) => [`k${i}`, i])))) }),
    () => ({ kind: 'many-fields', body: Buffer.from(JSON.stringify({ text: 'hi', a: Array.from({ length: 1001 + int(5000) }, () => 0) })) }),
    () => ({ kind: 'proto-key', body: Buffer.from(`{"text":"hi","__proto__":{"admin":true}}`) }),
    () => ({ kind: 'content-type', body: Buffer.from(JSON.stringify({ text: 'hi' })), headers: { 'content-type': pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1', 'application/jsonx']) } }),
  ];

  const slackBody = () =>
    JSON.stringify({ type: 'event_callback', team_id: 'T1', event_id: `Ev${int(1e9)}`, event: { type: 'message', user: 'U1', channel: 'C1', text: 'hi', ts: '1.1' } });
  const badSlackShapes = [
    () => JSON.stringify({ type: 'event_callback', team_id: 'T1', event: {} }),
    () => JSON.stringify({ type: 'url_verification' }),
    () => JSON.stringify({ type: 'event_callback', team_id: 'T1', event_id: '', event: { type: 'message' } }),
    () => JSON.stringify({ type: pick([7, null, 'x', 'event_callbak']) }),
    () => JSON.stringify([1, 2]),
  ];

  const generators: (() => FuzzRequest)[] = [
    () => {
      const b = pick(badMessageBodies)();
      return { kind: `api:${b.kind}`, method: 'POST', path: '/v1/messages', headers: { ...auth, ...b.headers }, body: b.body };
    },
    // A valid message with a missing or wrong key (401, never accepted).
    () => ({
      kind: 'api:unauthorized',
      method: 'POST',
      path: '/v1/messages',
      headers: { ...json, ...pick([{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${c.apiKey}` }, { authorization: `Bearer ${c.apiKey}x` }, { authorization: '' }]) },
      body: Buffer.from(JSON.stringify({ text: 'Where is my order?', customerId: 'james_li_5688' })),
    }),
    // Slack: unsigned, forged, replayed (stale) and tampered requests; signed but malformed ones.
    () => {
      const raw = slackBody();
      const ts = String(now());
      const variant = int(5);
      const headers: Record<string, string> = { ...json };
      if (variant === 0) {
        /* unsigned */
      } else if (variant === 1) Object.assign(headers, { 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${randomBytes(32).toString('hex')}` });
      else if (variant === 2) {
        const old = String(now() - 301 - int(100_000));
        Object.assign(headers, { 'x-slack-request-timestamp': old, 'x-slack-signature': channels.signSlack(c.slackSecret, old, Buffer.from(raw)) });
      } else if (variant === 3) Object.assign(headers, { 'x-slack-request-timestamp': pick(['abc', '', '-1', '1e9', '99999999999999']), 'x-slack-signature': 'v0=00' });
      else Object.assign(headers, { 'x-slack-request-timestamp': ts, 'x-slack-signature': channels.signSlack(c.slackSecret, ts, Buffer.from(raw.replace('hi', 'ho'))) });
      return { kind: `slack:${variant}`, method: 'POST', path: '/v1/channels/slack/events', headers, body: Buffer.from(raw) };
    },
    () => {
      const raw = pick(badSlackShapes)();
      const ts = String(now());
      return {
        kind: 'slack:signed-malformed',
        method: 'POST',
        path: '/v1/channels/slack/events',
        headers: { ...json, 'x-slack-request-timestamp': ts, 'x-slack-signature': channels.signSlack(c.slackSecret, ts, Buffer.from(raw)) },
        body: Buffer.from(raw),
      };
    },
    // WhatsApp: forged / missing signatures, signed malformed payloads, bad handshakes.
    () => {
      const raw = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { messages: [{ from: '16505551234', id: `wamid.${int(1e9)}`, type: 'text', text: { body: 'hi' } }] } }] }] });
      const sig = pick([undefined, 'sha256=', `sha256=${randomBytes(32).toString('hex')}`, channels.signMeta('wrong-secret', Buffer.from(raw)), 'md5=abc']);
      return { kind: 'whatsapp:forged', method: 'POST', path: '/v1/channels/whatsapp/webhook', headers: { ...json, ...(sig ? { 'x-hub-signature-256': sig } : {}) }, body: Buffer.from(raw) };
    },
    () => {
      const raw = JSON.stringify(
        pick([
          { object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { messages: [{ from: 'not-a-number', id: 'x', type: 'text', text: { body: 'hi' } }] } }] }] },
          { object: 'whatsapp_business_account', entry: 'nope' },
          { entry: [] },
          { object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { messages: [{ from: '1234567', type: 'text', text: { body: 'hi' } }] } }] }] },
        ]),
      );
      return { kind: 'whatsapp:signed-malformed', method: 'POST', path: '/v1/channels/whatsapp/webhook', headers: { ...json, 'x-hub-signature-256': channels.signMeta(c.metaSecret, Buffer.from(raw)) }, body: Buffer.from(raw) };
    },
    () => ({
      kind: 'whatsapp:handshake',
      method: 'GET',
      path: `/v1/channels/whatsapp/webhook?${pick(['', 'hub.mode=subscribe', `hub.mode=subscribe&hub.verify_token=${randomText(8)}&hub.challenge=1`, 'hub.mode=subscribe&hub.verify_token[]=a&hub.challenge=1', 'hub.mode=unsubscribe&hub.verify_token=x&hub.challenge=1'])}`,
      headers: {},
    }),
    // Telegram: wrong / missing secret tokens; the right token with malformed updates.
    () => ({
      kind: 'telegram:forged',
      method: 'POST',
      path: '/v1/channels/telegram/webhook',
      headers: { ...json, ...pick([{}, { 'x-telegram-bot-api-secret-token': randomText(10) }, { 'x-telegram-bot-api-secret-token': `${c.telegramToken}x` }, { 'x-telegram-bot-api-secret-token': c.telegramToken.slice(1) }]) },
      body: Buffer.from(JSON.stringify({ update_id: int(1e9), message: { message_id: 1, chat: { id: 1, type: 'private' }, text: 'hi' } })),
    }),
    () => ({
      kind: 'telegram:signed-malformed',
      method: 'POST',
      path: '/v1/channels/telegram/webhook',
      headers: { ...json, 'x-telegram-bot-api-secret-token': c.telegramToken },
      body: Buffer.from(JSON.stringify(pick([{ update_id: -1 }, { update_id: 'x' }, {}, { update_id: 1.5 }, { update_id: 1, message: { chat: {} } }, { update_id: 1, message: { message_id: 1, chat: { id: 'x', type: 'private' }, text: 'hi' } }]))),
    }),
    // Generic webhooks: unknown channels, forged / stale / missing signatures, signed malformed bodies.
    () => {
      const raw = JSON.stringify({ text: 'hi', messageId: `m${int(1e9)}` });
      const ts = String(now());
      const variant = int(5);
      let path = `/v1/channels/webhook/${c.webhookChannel}`;
      const headers: Record<string, string> = { ...json };
      if (variant === 0) path = `/v1/channels/webhook/${pick(['unknown', 'api', 'web', '__proto__', 'constructor', 'UPPER', 'a'.repeat(65), '%00'])}`;
      else if (variant === 1) Object.assign(headers, { 'x-steward-timestamp': ts, 'x-steward-signature': `sha256=${randomBytes(32).toString('hex')}` });
      else if (variant === 2) {
        const old = String(now() - 301 - int(100_000));
        Object.assign(headers, { 'x-steward-timestamp': old, 'x-steward-signature': channels.signWebhook(c.webhookSecret, old, raw) });
      } else if (variant === 3) Object.assign(headers, { 'x-steward-signature': channels.signWebhook(c.webhookSecret, ts, raw) });
      else Object.assign(headers, { 'x-steward-timestamp': ts, 'x-steward-signature': channels.signWebhook('not-the-secret', ts, raw) });
      if (variant === 0) Object.assign(headers, { 'x-steward-timestamp': ts, 'x-steward-signature': channels.signWebhook(c.webhookSecret, ts, raw) });
      return { kind: `webhook:${variant}`, method: 'POST', path, headers, body: Buffer.from(raw) };
    },
    () => {
      const raw = JSON.stringify(pick([{ text: 1, messageId: 'm' }, { text: 'hi' }, { text: 'hi', messageId: 'm', extra: 1 }, { text: 'x'.repeat(4001), messageId: 'm' }, { text: '', messageId: 'm' }]));
      const ts = String(now() - int(200));
      return {
        kind: 'webhook:signed-malformed',
        method: 'POST',
        path: `/v1/channels/webhook/${c.webhookChannel}`,
        headers: { ...json, 'x-steward-timestamp': ts, 'x-steward-signature': channels.signWebhook(c.webhookSecret, ts, raw) },
        body: Buffer.from(raw),
      };
    },
    // Other routes with hostile parameters.
    () => ({
      kind: 'routes',
      method: pick(['GET', 'POST', 'PUT'] as const),
      path: pick(['/v1/queries/', '/v1/traces/', '/v1/queries/x/events?key=']) + pick(['..%2F..', 'a'.repeat(70), '%ff%fe', 'q_1 2', '<x>', 'q_00000000000000000000']),
      headers: { authorization: `Bearer ${c.apiKey}` },
    }),
    () => ({ kind: 'unknown-route', method: 'POST', path: `/${randomText(10).replace(/[^a-z]/gi, '')}`, headers: json, body: Buffer.from('{}') }),
  ];

  return {
    next(): FuzzRequest {
      return pick(generators)();
    },
  };
}
