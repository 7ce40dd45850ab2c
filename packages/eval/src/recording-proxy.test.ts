import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.ts';

// A model endpoint over real HTTP whose next reply each test sets: the proxy must forward it
// unchanged and record the tool calls in it.
let upstream: Server;
let next: { status: number; body: unknown; headers?: Record<string, string> };
let seenAuth = '';
let proxy: RecordingProxy;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seenAuth = req.headers.authorization ?? '';
    req.resume();
    req.on('end', () =>
      res
        .writeHead(next.status, { 'content-type': 'application/json', ...next.headers })
        .end(JSON.stringify(next.body)),
    );
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  proxy = await startRecordingProxy({
    baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`,
    apiKey: 'real-key',
    model: 'm',
  });
});
afterAll(async () => {
  await proxy.close();
  await new Promise<void>((r) => upstream.close(() => r()));
});

const post = (body: unknown) =>
  fetch(`${proxy.baseUrlFor('x')}/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer eval-proxy' },
    body: JSON.stringify(body),
  });

describe('recording proxy (env mode)', () => {
  it('forwards with the real key and records a guessed id and a tool that was not offered', async () => {
    proxy.begin('x');
    proxy.nextQuery('x');
    const call = (name: string, args: unknown) => ({ function: { name, arguments: JSON.stringify(args) } });
    next = {
      status: 200,
      body: {
        choices: [
          {
            message: {
              content: null,
              tool_calls: [
                call('get_order_details', { order_id: '#W1111111' }),
                call('cancel_pending_order', { order_id: '#W2222222', reason: 'no longer needed' }),
              ],
            },
          },
        ],
      },
    };
    const res = await post({
      messages: [{ role: 'user', content: 'cancel #W1111111' }],
      tools: [{ type: 'function', function: { name: 'get_order_details' } }],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(next.body);
    expect(seenAuth).toBe('Bearer real-key');
    const rec = proxy.finish('x');
    expect(rec.actions).toEqual([
      { query: 0, call: 0, tool: 'get_order_details', purpose: 'model', offered: true, missing: [] },
      {
        query: 0,
        call: 0,
        tool: 'cancel_pending_order',
        purpose: 'model',
        offered: false,
        missing: [
          { arg: 'order_id', value: '#W2222222', cause: 'never_in_prompt' },
          { arg: 'reason', value: 'no longer needed', cause: 'never_in_prompt' },
        ],
      },
    ]);
  });

  it('passes a rate limit through with its Retry-After, recording nothing', async () => {
    proxy.begin('x');
    next = { status: 429, body: { error: { message: 'slow down' } }, headers: { 'retry-after': '2' } };
    const res = await post({ messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(proxy.finish('x').actions).toEqual([]);
  });
});
