import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signMeta, verifyMeta, verifyMetaHandshake } from './meta.ts';
import { signSlack, verifySlack } from './slack.ts';
import { verifyTelegram } from './telegram.ts';
import { signWebhook, verifyWebhook } from './webhook.ts';

// The example request of Slack's "Verifying requests from Slack" page (a slash command).
const SLACK_DOC = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body:
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};

describe('Slack v0 signatures', () => {
  const now = Number(SLACK_DOC.timestamp) + 10;
  const req = (over: Partial<{ body: string; timestamp: string; signature: string | undefined }> = {}) => ({
    rawBody: Buffer.from(over.body ?? SLACK_DOC.body),
    timestamp: over.timestamp ?? SLACK_DOC.timestamp,
    signature: 'signature' in over ? over.signature : SLACK_DOC.signature,
  });

  it('reproduces the signature of Slack documentation example', () => {
    expect(signSlack(SLACK_DOC.secret, SLACK_DOC.timestamp, Buffer.from(SLACK_DOC.body))).toBe(SLACK_DOC.signature);
    expect(verifySlack(req(), SLACK_DOC.secret, now, 300)).toEqual({ ok: true });
  });

  it('refuses a changed body, a wrong secret and a missing signature', () => {
    expect(verifySlack(req({ body: `${SLACK_DOC.body}&x=1` }), SLACK_DOC.secret, now, 300)).toMatchObject({ ok: false, code: 'invalid_signature' });
    expect(verifySlack(req(), 'another-secret', now, 300)).toMatchObject({ ok: false, code: 'invalid_signature' });
    expect(verifySlack(req({ signature: undefined }), SLACK_DOC.secret, now, 300)).toMatchObject({ ok: false, code: 'missing_signature' });
    expect(verifySlack(req(), undefined, now, 300)).toMatchObject({ ok: false, code: 'channel_not_configured' });
  });

  it('refuses a request older or newer than the tolerance, and a malformed timestamp', () => {
    expect(verifySlack(req(), SLACK_DOC.secret, Number(SLACK_DOC.timestamp) + 301, 300)).toMatchObject({ ok: false, code: 'stale_timestamp' });
    expect(verifySlack(req(), SLACK_DOC.secret, Number(SLACK_DOC.timestamp) - 301, 300)).toMatchObject({ ok: false, code: 'stale_timestamp' });
    expect(verifySlack(req({ timestamp: '1531420618.5' }), SLACK_DOC.secret, now, 300)).toMatchObject({ ok: false, code: 'invalid_timestamp' });
  });
});

describe('Meta (WhatsApp Cloud API) X-Hub-Signature-256', () => {
  // Meta escapes non-ASCII as \uXXXX and signs those exact bytes: re-serialised JSON would differ.
  const raw = Buffer.from('{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"8613800000000","id":"wamid.X","type":"text","text":{"body":"\\u6211\\u7684\\u8ba2\\u5355"}}]}}]}]}');
  const secret = 'meta-app-secret';

  it('is sha256= and the hex HMAC of the raw body', () => {
    const expected = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
    expect(signMeta(secret, raw)).toBe(expected);
    expect(verifyMeta(raw, expected, secret)).toEqual({ ok: true });
  });

  it('refuses the signature of the re-serialised payload, a forged one and none', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
    expect(reserialised.equals(raw)).toBe(false);
    expect(verifyMeta(raw, signMeta(secret, reserialised), secret)).toMatchObject({ ok: false, code: 'invalid_signature' });
    expect(verifyMeta(raw, 'sha256=00', secret)).toMatchObject({ ok: false, code: 'invalid_signature' });
    expect(verifyMeta(raw, undefined, secret)).toMatchObject({ ok: false, code: 'missing_signature' });
  });

  it('answers the subscription handshake only with the right verify token', () => {
    const q = { 'hub.mode': 'subscribe', 'hub.verify_token': 'tok', 'hub.challenge': '1158201444' };
    expect(verifyMetaHandshake(q, 'tok')).toEqual({ ok: true, challenge: '1158201444' });
    expect(verifyMetaHandshake({ ...q, 'hub.verify_token': 'nope' }, 'tok')).toMatchObject({ ok: false, code: 'verify_token_mismatch' });
    expect(verifyMetaHandshake({ ...q, 'hub.mode': 'unsubscribe' }, 'tok')).toMatchObject({ ok: false });
    expect(verifyMetaHandshake({ ...q, 'hub.challenge': '<script>' }, 'tok')).toMatchObject({ ok: false });
  });
});

describe('Telegram secret token', () => {
  it('accepts only the exact secret', () => {
    expect(verifyTelegram('s3cret_TOKEN-1', 's3cret_TOKEN-1')).toEqual({ ok: true });
    expect(verifyTelegram('s3cret_TOKEN-2', 's3cret_TOKEN-1')).toMatchObject({ ok: false, code: 'invalid_signature' });
    expect(verifyTelegram('s3cret', 's3cret_TOKEN-1')).toMatchObject({ ok: false, code: 'invalid_signature' });
    expect(verifyTelegram(undefined, 's3cret_TOKEN-1')).toMatchObject({ ok: false, code: 'missing_signature' });
  });
});

describe('steward webhook signatures', () => {
  const body = Buffer.from('{"text":"hello","messageId":"m1"}');
  const ts = '1700000000';
  it('is sha256= and the hex HMAC of "{timestamp}.{raw body}"', () => {
    const expected = `sha256=${createHmac('sha256', 'k').update(`${ts}.`).update(body).digest('hex')}`;
    expect(signWebhook('k', ts, body)).toBe(expected);
    expect(verifyWebhook({ rawBody: body, timestamp: ts, signature: expected }, 'k', 1_700_000_100, 300)).toEqual({ ok: true });
  });
  it('binds the timestamp: the same signature under another timestamp fails', () => {
    const sig = signWebhook('k', ts, body);
    expect(verifyWebhook({ rawBody: body, timestamp: '1700000001', signature: sig }, 'k', 1_700_000_100, 300)).toMatchObject({ code: 'invalid_signature' });
    expect(verifyWebhook({ rawBody: body, timestamp: ts, signature: sig }, 'k', 1_700_000_400, 300)).toMatchObject({ code: 'stale_timestamp' });
  });
});
