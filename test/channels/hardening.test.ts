import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { channels, post, startTestIngress, type TestIngress } from './harness.ts';

// hardenInput on the whole ingress: each hostile body gets its own stable 4xx code, and an
// ordinary message still goes through.
const url = inject('redisUrl');
const prefix = uniquePrefix('harden');
const KEY = 'harden-key';
let t: TestIngress;
const headers = { 'content-type': 'application/json', authorization: `Bearer ${KEY}` };
const send = (body: string | Buffer, h: Record<string, string> = headers) => post(`${t.url}/v1/messages`, body, h);

describe('hardened input on /v1/messages', () => {
  beforeAll(async () => {
    t = await startTestIngress(url, prefix, { apiKeys: KEY, plugins: [channels.hardenInput({ messageMaxChars: 100, maxDepth: 4, maxFields: 20 })] });
  });
  afterAll(async () => {
    await t?.close();
    await deletePrefix(url, prefix);
  });

  it('still accepts an ordinary message', async () => {
    const r = await send(JSON.stringify({ text: '我的订单在哪？ Where is my order?', customerId: 'james_li_5688' }));
    expect(r.status).toBe(202);
  });

  it.each([
    ['invalid_utf8', Buffer.concat([Buffer.from('{"text":"caf'), Buffer.from([0xe9]), Buffer.from('"}')])],
    ['message_too_long', JSON.stringify({ text: 'x'.repeat(101) })],
    ['json_too_deep', JSON.stringify({ text: 'hi', a: [[[[1]]]] })],
    ['too_many_fields', JSON.stringify({ text: 'hi', a: Array.from({ length: 25 }, (_, i) => i) })],
    ['forbidden_key', '{"text":"hi","__proto__":{"x":1}}'],
    // Spelled with escapes: the text has no literal "__proto__", the parser must still see the key.
    ['forbidden_key', '{"text":"hi","\\u005f_proto__":{"x":1}}'],
    ['forbidden_key', '{"text":"hi","a":{"__pr\\u006fto__":{"x":1}}}'],
    ['invalid_text', '{"text":"hi \\ud800"}'],
    ['invalid_json', '{"text":"hi"'],
    ['invalid_json', ''],
    ['invalid_request', JSON.stringify({ text: 'hi', role: 'admin' })],
  ])('answers %s with 400', async (code, body) => {
    const r = await send(body);
    expect(r.status).toBe(400);
    expect(r.json.error?.code).toBe(code);
  });

  it('answers a body that is not declared as UTF-8 JSON with 415', async () => {
    for (const ct of ['text/plain', 'application/json; charset=iso-8859-1', 'application/x-www-form-urlencoded']) {
      const r = await send('{"text":"hi"}', { ...headers, 'content-type': ct });
      expect(r.status, ct).toBe(415);
      expect(r.json.error?.code).toBe('unsupported_media_type');
    }
  });

  it('enqueued only the ordinary message', async () => {
    expect(await t.queryIds()).toHaveLength(1);
  });
});
