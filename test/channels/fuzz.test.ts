import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createFuzzer, prng, type FuzzContext, type FuzzRequest } from './fuzz-cases.ts';
import { channels, startTestIngress, type TestIngress } from './harness.ts';

// ≥ 10,000 malformed or hostile requests over HTTP against a real ingress with every channels
// plugin: each must get a 4xx (never a 5xx), the process must stay up, and nothing may be
// written or enqueued.
const url = inject('redisUrl');
const prefix = uniquePrefix('fuzz');
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const COUNT = 10_000;
const CONCURRENCY = 16;
const ctx: FuzzContext = {
  apiKey: 'fuzz-api-key',
  slackSecret: 'fuzz-slack-secret',
  metaSecret: 'fuzz-meta-secret',
  telegramToken: 'fuzz-telegram-token',
  webhookChannel: 'partner',
  webhookSecret: 'fuzz-webhook-secret',
};
let t: TestIngress;

async function send(r: FuzzRequest): Promise<{ status: number; code: string }> {
  const res = await fetch(`${t.url}${r.path}`, { method: r.method, headers: r.headers, ...(r.body ? { body: r.body } : {}) });
  const text = await res.text();
  let code = '';
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '';
  } catch {
    code = '(not json)';
  }
  return { status: res.status, code };
}

/** Malformed HTTP itself (bad Content-Length, broken chunking): Node's parser must answer 400. */
function rawHttp(lines: string): Promise<number> {
  const { port, hostname } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => s.write(lines));
    let buf = '';
    s.setTimeout(5000, () => {
      s.destroy();
      reject(new Error('raw request timed out'));
    });
    s.on('data', (d) => {
      buf += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(buf);
      if (m) {
        s.destroy();
        resolve(Number(m[1]));
      }
    });
    s.on('error', reject);
    s.on('close', () => resolve(/^HTTP\/1\.1 (\d{3})/.exec(buf) ? Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)![1]) : 0));
  });
}

describe('fuzzing the ingress with malformed and hostile requests', () => {
  beforeAll(async () => {
    t = await startTestIngress(url, prefix, {
      apiKeys: ctx.apiKey,
      plugins: [
        channels.hardenInput(),
        channels.channelRoutes({
          config: {
            slack: { signingSecret: ctx.slackSecret, apiBase: 'http://127.0.0.1:1' },
            whatsapp: { appSecret: ctx.metaSecret, verifyToken: 'fuzz-verify', apiBase: 'http://127.0.0.1:1' },
            telegram: { secretToken: ctx.telegramToken, apiBase: 'http://127.0.0.1:1' },
            webhooks: { secrets: { [ctx.webhookChannel]: ctx.webhookSecret }, callbacks: {} },
          },
        }),
        channels.webChat({}),
      ],
    });
  });
  afterAll(async () => {
    await t?.close();
    await deletePrefix(url, prefix);
  });

  it(`answers ${COUNT} generated bad requests with 4xx only, stays up, enqueues nothing (seed ${SEED})`, async () => {
    const fuzz = createFuzzer(prng(SEED), ctx);
    const byCode = new Map<string, number>();
    const failures: string[] = [];
    const unstable: string[] = [];
    let done = 0;
    const workerLoop = async () => {
      while (done < COUNT) {
        done++;
        const r = fuzz.next();
        const res = await send(r);
        byCode.set(res.code, (byCode.get(res.code) ?? 0) + 1);
        if (res.code === '' || res.code === '(not json)') unstable.push(r.path);
        if (res.status < 400 || res.status >= 500) failures.push(`${r.kind} ${r.method} ${r.path.slice(0, 80)} → ${res.status} ${res.code}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, workerLoop));
    expect(failures.slice(0, 20)).toEqual([]);
    // Every refusal carries a stable code, except a URL with invalid percent-encoding: Fastify's
    // router answers that 400 itself before any hook (the ingress needs `frameworkErrors` for it).
    expect(unstable.filter((p) => !p.includes('%ff'))).toEqual([]);
    process.stderr.write(`[fuzz] ${done} requests, codes: ${JSON.stringify(Object.fromEntries([...byCode].sort((a, b) => b[1] - a[1])))}\n`);
    // Each class of hostile input met its own stable refusal.
    for (const code of [
      'invalid_json',
      'invalid_request',
      'invalid_utf8',
      'invalid_text',
      'json_too_deep',
      'too_many_fields',
      'forbidden_key',
      'message_too_long',
      'payload_too_large',
      'unsupported_media_type',
      'unauthorized',
      'missing_signature',
      'invalid_signature',
      'stale_timestamp',
      'invalid_timestamp',
      'unknown_channel',
      'invalid_payload',
      'verify_token_mismatch',
    ]) {
      expect(byCode.get(code) ?? 0, code).toBeGreaterThan(0);
    }

    // The process is alive and still serves.
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    // Nothing was accepted: no query record, no job on any queue, no dedupe entry.
    expect(await t.queryIds()).toEqual([]);
    expect(await t.jobTotal()).toBe(0);
    expect(await t.redis.keys(`${prefix}:dedupe:*`)).toEqual([]);
  });

  it('refuses a signed request replayed after its first (malformed) use', async () => {
    const raw = JSON.stringify({ text: '', messageId: 'replay-1' });
    const ts = String(Math.floor(Date.now() / 1000));
    const headers = { 'content-type': 'application/json', 'x-steward-timestamp': ts, 'x-steward-signature': channels.signWebhook(ctx.webhookSecret, ts, raw) };
    const first = await send({ kind: 'replay', method: 'POST', path: `/v1/channels/webhook/${ctx.webhookChannel}`, headers, body: Buffer.from(raw) });
    expect(first).toEqual({ status: 400, code: 'invalid_request' });
    const again = await send({ kind: 'replay', method: 'POST', path: `/v1/channels/webhook/${ctx.webhookChannel}`, headers, body: Buffer.from(raw) });
    expect(again).toEqual({ status: 401, code: 'replayed_request' });
  });

  it('answers malformed HTTP framing with 400 and keeps serving', async () => {
    const cases = [
      'POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}',
      'POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      'POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      'POST /v1/messages HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n',
      'GARBAGE\r\n\r\n',
    ];
    for (const c of cases) {
      const status = await rawHttp(c);
      expect(status, c.split('\r\n')[0]).toBe(400);
    }
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect(await t.jobTotal()).toBe(0);
  });
});
