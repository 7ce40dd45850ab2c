// Finding 8 (Redis stall): with a real Redis paused (SIGSTOP: the TCP connection stays up and
// nothing answers, the worst case for a client), POST /v1/messages, a platform webhook and
// /readyz must answer 503 with Retry-After within a bound instead of hanging; after SIGCONT
// the ingress serves again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisServer, freePort, uniquePrefix } from '@steward/testing';
import { startIngress, type RunningIngress } from '@steward/ingress';
import { channels } from '../channels/harness.ts';

const TG_TOKEN = 'stall-tg-secret_token';
const silent = { info() {}, warn() {}, error() {} };
let server: RedisServer;
let pid = -1;
let ingress: RunningIngress;
let admission: { close(): Promise<void> } | undefined;
let paused = false;

async function redisPid(url: string): Promise<number> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    return Number(/process_id:(\d+)/.exec(await r.info('server'))?.[1] ?? -1);
  } finally {
    r.disconnect();
  }
}

const pause = (): void => {
  process.kill(pid, 'SIGSTOP');
  paused = true;
};
const resume = (): void => {
  if (paused) process.kill(pid, 'SIGCONT');
  paused = false;
};

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await f();
  return { value, ms: Date.now() - t0 };
}

const postMessage = (text: string, messageId: string) =>
  fetch(`${ingress.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer stall-key' },
    body: JSON.stringify({ text, messageId }),
  });

beforeAll(async () => {
  server = await RedisServer.start();
  pid = await redisPid(server.url);
  const prefix = uniquePrefix('sec-stall');
  // Admission has its own connection without a command timeout: the request deadline covers it.
  const adm = await channels.startAdmission({ redisUrl: server.url, prefix });
  admission = adm;
  ingress = await startIngress({
    redisUrl: server.url,
    prefix,
    port: await freePort(),
    host: '127.0.0.1',
    apiKeys: 'stall-key',
    log: silent,
    debugTrace: (events) => ({ events }),
    metrics: async () => '',
    redisCommandTimeoutMs: 500,
    redisDeadlineMs: 1_500,
    admit: adm.admit,
    plugins: [channels.channelRoutes({ config: { telegram: { secretToken: TG_TOKEN, apiBase: 'http://127.0.0.1:1' } } })],
  });
});

afterAll(async () => {
  resume();
  await ingress?.close();
  await admission?.close();
  await server?.stop();
});

describe('a stalled Redis (finding 8)', () => {
  it('serves normally before the stall', async () => {
    expect((await postMessage('hello', 'm-before')).status).toBe(202);
    expect((await fetch(`${ingress.url}/readyz`)).status).toBe(200);
  });

  it('answers 503 + Retry-After quickly on POST /v1/messages, a webhook and /readyz while Redis is paused', async () => {
    pause();
    try {
      const msg = await timed(() => postMessage('where is my order?', 'm-during'));
      expect(msg.value.status).toBe(503);
      expect(Number(msg.value.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await msg.value.json()) as { error: { code: string } }).error.code).toBe('redis_unavailable');
      expect(msg.ms).toBeLessThan(4_000);

      const tg = await timed(() =>
        fetch(`${ingress.url}/v1/channels/telegram/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_TOKEN },
          body: JSON.stringify({ update_id: 1, message: { message_id: 1, chat: { id: 42, type: 'private' }, date: Math.floor(Date.now() / 1000), text: 'hi' } }),
        }),
      );
      expect(tg.value.status).toBe(503);
      expect(tg.value.headers.get('retry-after')).not.toBeNull();
      expect(tg.ms).toBeLessThan(8_000);

      const ready = await timed(() => fetch(`${ingress.url}/readyz`));
      expect(ready.value.status).toBe(503);
      expect(ready.ms).toBeLessThan(4_000);
      expect((await fetch(`${ingress.url}/healthz`)).status).toBe(200);
    } finally {
      resume();
    }
  });

  it('recovers when Redis answers again', async () => {
    await expect.poll(async () => (await fetch(`${ingress.url}/readyz`)).status, { timeout: 15_000, interval: 250 }).toBe(200);
    expect((await postMessage('hello again', 'm-after')).status).toBe(202);
  });
});
