// The shop client against a real local HTTP server that answers each request from a script:
// keep-alive reuse, the socket bound, and the error contract the tool-worker retries on.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, expect, afterEach } from 'vitest';
import { isStewardError } from '@steward/core';
import { createShopClient } from './client.ts';

interface Step {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
  /** Write half the body, then drop the connection. */
  cut?: boolean;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function scriptedShop(script: Step[]) {
  const seen: { url: string; headers: IncomingHttpHeaders; body: unknown }[] = [];
  const connections = { total: 0, open: 0, maxOpen: 0 };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const step = script[Math.min(seen.length, script.length - 1)] ?? {};
      seen.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(raw) as unknown });
      const body = step.body ?? JSON.stringify({ result: 'ok' });
      const answer = () => {
        res.writeHead(step.status ?? 200, { 'content-type': 'application/json', ...step.headers });
        if (!step.cut) return void res.end(body);
        res.write(body.slice(0, body.length >> 1));
        setTimeout(() => req.socket.destroy(), 5);
      };
      if (step.delayMs) setTimeout(answer, step.delayMs);
      else answer();
    });
  });
  server.on('connection', (socket) => {
    connections.total++;
    connections.maxOpen = Math.max(connections.maxOpen, ++connections.open);
    socket.on('close', () => connections.open--);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, connections };
}

const req = { arguments: { order_id: '#W1' }, customerId: 'alice_1', idempotencyKey: 'q1:t1:c0' };
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('shop client', () => {
  it('posts the request as JSON with the token, and reuses one keep-alive connection', async () => {
    const shop = await scriptedShop([{ body: JSON.stringify({ result: '{"status":"delivered"}', touched: ['order:#W1'] }) }]);
    const client = createShopClient(`${shop.url}/`, { token: 's3cret' });
    for (let i = 0; i < 3; i++) expect(await client.invoke('get order', req)).toEqual({ result: '{"status":"delivered"}', touched: ['order:#W1'] });
    expect(shop.seen[0]).toMatchObject({ url: '/v1/tools/get%20order', headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json' }, body: req });
    expect(shop.connections.total).toBe(1);
  });

  it('opens no more than maxSockets connections; the other calls wait for one', async () => {
    const shop = await scriptedShop([{ delayMs: 40 }]);
    const client = createShopClient(shop.url, { maxSockets: 3 });
    const replies = await Promise.all(Array.from({ length: 9 }, () => client.invoke('think', req)));
    expect(replies.every((r) => r.result === 'ok')).toBe(true);
    expect(shop.connections.maxOpen).toBe(3);
  });

  it('429 and 5xx are TransientErrors with the Retry-After; 4xx are final with their kind', async () => {
    const shop = await scriptedShop([
      { status: 429, headers: { 'retry-after': '3' }, body: JSON.stringify({ error: { message: 'slow down' } }) },
      { status: 502, body: '<html>bad gateway</html>' },
      { status: 403, body: JSON.stringify({ error: { message: 'wrong token' } }) },
      { status: 422, body: JSON.stringify({ error: { message: 'bad arguments' } }) },
    ]);
    const client = createShopClient(shop.url);
    const e429 = await errorOf(client.invoke('think', req));
    expect(isStewardError(e429) && [e429.code, e429.retryable, e429.retryAfterMs, e429.message.includes('slow down')]).toEqual(['shop_http_429', true, 3_000, true]);
    const e502 = await errorOf(client.invoke('think', req));
    expect(isStewardError(e502) && [e502.code, e502.retryable, e502.retryAfterMs]).toEqual(['shop_http_502', true, undefined]);
    const e403 = await errorOf(client.invoke('think', req));
    expect(isStewardError(e403) && [e403.kind, e403.retryable, e403.message.includes('wrong token')]).toEqual(['unauthorized', false, true]);
    const e422 = await errorOf(client.invoke('think', req));
    expect(isStewardError(e422) && [e422.kind, e422.retryable]).toEqual(['validation', false]);
  });

  it('a body that is not a ShopToolResponse is shop_bad_response, not retried', async () => {
    const shop = await scriptedShop([{ body: 'not json' }, { body: JSON.stringify({ answer: 42 }) }]);
    const client = createShopClient(shop.url);
    for (let i = 0; i < 2; i++) {
      const e = await errorOf(client.invoke('think', req));
      expect(isStewardError(e) && [e.code, e.retryable]).toEqual(['shop_bad_response', false]);
    }
  });

  it('a reply cut in the middle is retryable; a timeout is shop_timeout; the caller aborting is final', async () => {
    const shop = await scriptedShop([{ cut: true, body: JSON.stringify({ result: 'x'.repeat(2_000) }) }, { delayMs: 5_000 }]);
    const client = createShopClient(shop.url);
    const cut = await errorOf(client.invoke('think', req));
    expect(isStewardError(cut) && [cut.code, cut.retryable]).toEqual(['shop_unreachable', true]);
    const slow = await errorOf(client.invoke('think', req, { timeoutMs: 60 }));
    expect(isStewardError(slow) && [slow.code, slow.retryable, slow.message.includes('60 ms')]).toEqual(['shop_timeout', true, true]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const aborted = await errorOf(client.invoke('think', req, { signal: ac.signal }));
    expect(isStewardError(aborted) && [aborted.code, aborted.retryable]).toEqual(['shop_aborted', false]);
  });
});
