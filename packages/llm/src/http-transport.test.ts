// The client's own transport over a real local HTTP server: streams split at every byte,
// keep-alive reuse, the socket bound, headers, and every way a call fails.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it, expect, afterEach } from 'vitest';
import { isStewardError } from '@steward/core';
import { createLlmClient, type LlmClientOptions } from './llm-client.ts';
import { createHttpTransport, readTextChunks } from './http-transport.ts';
import { startScriptedChatServer, chatCompletionBody, chatCompletionChunks, type ScriptedChatServer, type ScriptedResponse } from './testing/scripted-chat-server.ts';
import { LlmAbortedError, LlmTimeoutError } from './errors.ts';
import type { StreamDelta } from './accumulate-stream.ts';

let server: ScriptedChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(script: ScriptedResponse[], opts: Partial<LlmClientOptions> = {}) {
  server = await startScriptedChatServer(script);
  const client = createLlmClient({ baseURL: server.baseURL, apiKey: 'test-key', model: 'gpt-4o-mini', sleep: async () => {}, random: () => 0.5, ...opts });
  return { client, server };
}

async function failure(p: Promise<unknown>) {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isStewardError(e)) throw new Error(`expected a StewardError, got ${String(e)}`);
  return e;
}

const messages = [{ role: 'user' as const, content: '我的訂單 #W1 在哪裡？' }];
const base = { id: 's', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini' };
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });

// A stream with CRLF line endings, a comment, an `id` field, one chunk's JSON spread over two
// `data:` lines, multi-byte characters, a tool call in pieces and usage last.
const STREAM = Buffer.from(
  ': OPENROUTER PROCESSING\r\n\r\n' +
    `data: ${chunk({ role: 'assistant', content: '' })}\r\n\r\n` +
    `id: 1\r\ndata: ${chunk({ content: '您好，' })}\r\n\r\n` +
    `data: {"id":"s","object":"chat.completion.chunk","created":0,"model":"gpt-4o-mini",\r\ndata: "choices":[{"index":0,"delta":{"content":"訂單已發貨 ✓"},"finish_reason":null}]}\r\n\r\n` +
    `data: ${chunk({}, 'stop')}\n\n` +
    `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 } })}\n\n` +
    'data: [DONE]\n\n',
  'utf8',
);

describe('the LLM transport', () => {
  it('reads a stream split at every byte position (inside lines, CRLF pairs and characters) the same way', async () => {
    const positions = Array.from({ length: STREAM.length - 1 }, (_, i) => i + 1);
    const { client } = await setup(positions.map((i) => ({ pieces: [STREAM.subarray(0, i), STREAM.subarray(i)] })));
    for (const i of positions) {
      const deltas: StreamDelta[] = [];
      const r = await client.complete({ messages, onDelta: (d) => deltas.push(d) });
      expect(r.message.content, `split at byte ${i}`).toBe('您好，訂單已發貨 ✓');
      expect(deltas.map((d) => (d.kind === 'content' ? d.text : '|')).join(''), `split at byte ${i}`).toBe('您好，訂單已發貨 ✓');
      expect([r.usage.inputTokens, r.usage.outputTokens, r.finishReason], `split at byte ${i}`).toEqual([12, 7, 'stop']);
    }
    expect(server!.requests).toHaveLength(positions.length);
  });

  it('reads a stream delivered a byte at a time', async () => {
    const bytes = Array.from({ length: STREAM.length }, (_, i) => STREAM.subarray(i, i + 1));
    const { client } = await setup([{ pieces: bytes, sseGapMs: 0 }]);
    const r = await client.complete({ messages, onDelta: () => {} });
    expect(r.message.content).toBe('您好，訂單已發貨 ✓');
  });

  it('reuses one keep-alive connection for calls in sequence', async () => {
    const { client, server } = await setup([{}, { sse: chatCompletionChunks('ok') }, {}, { sse: chatCompletionChunks('ok') }]);
    for (let i = 0; i < 4; i++) await client.complete({ messages, ...(i % 2 ? { onDelta: () => {} } : {}) });
    expect(server.requests).toHaveLength(4);
    expect(server.connections.total).toBe(1);
  });

  it('opens no more than maxSockets connections; the other calls wait for one', async () => {
    const { client, server } = await setup([{ delayMs: 50 }], { maxSockets: 2 });
    const replies = await Promise.all(Array.from({ length: 6 }, () => client.complete({ messages })));
    expect(replies.every((r) => r.message.content === 'ok')).toBe(true);
    expect(server.connections.maxOpen).toBe(2);
    expect(server.connections.total).toBe(2);
  });

  it('a transport shared by two clients shares its sockets', async () => {
    server = await startScriptedChatServer([{}]);
    const transport = createHttpTransport({ maxSockets: 4 });
    const a = createLlmClient({ baseURL: server.baseURL, apiKey: 'k', model: 'gpt-4o-mini', transport });
    const b = createLlmClient({ baseURL: server.baseURL, apiKey: 'k', model: 'gpt-4o', transport });
    await a.complete({ messages });
    await b.complete({ messages });
    expect(server.connections.total).toBe(1);
    transport.close();
  });

  it('goes through HTTP_PROXY when given a proxy environment (NODE_USE_ENV_PROXY=1 gives the process one)', async () => {
    // The scripted server stands in for the proxy: a proxied request names the absolute URL.
    server = await startScriptedChatServer([{}]);
    const proxy = server.baseURL.replace(/\/v1$/, '');
    const transport = createHttpTransport({ maxSockets: 2, proxyEnv: { HTTP_PROXY: proxy } });
    const client = createLlmClient({ baseURL: 'http://llm.internal.example:8000/v1', apiKey: 'k', model: 'gpt-4o-mini', transport });
    expect((await client.complete({ messages })).message.content).toBe('ok');
    expect(server.requests[0]!.url).toBe('http://llm.internal.example:8000/v1/chat/completions');
    transport.close();
  });

  it('sends the bearer token, our user-agent, the default headers and the JSON body', async () => {
    const { client, server } = await setup([{}, { sse: chatCompletionChunks('ok') }], { defaultHeaders: { 'x-tenant': 'shop-1', 'user-agent': 'acme/2' } });
    await client.complete({ messages, maxTokens: 100 });
    await client.complete({ messages, onDelta: () => {} });
    const [plain, streamed] = server.requests;
    expect(plain!.url).toBe('/v1/chat/completions');
    expect(plain!.headers).toMatchObject({ authorization: 'Bearer test-key', 'x-tenant': 'shop-1', 'user-agent': 'acme/2', 'content-type': 'application/json', accept: 'application/json' });
    expect(plain!.body).toEqual({ model: 'gpt-4o-mini', messages, max_tokens: 100 });
    expect(streamed!.headers.accept).toBe('text/event-stream');
    expect(streamed!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const own = await setup([{}]);
    await own.client.complete({ messages });
    expect(own.server.requests[0]!.headers['user-agent']).toMatch(/^steward-llm\//);
  });

  it('streamUsage: false leaves stream_options out', async () => {
    const { client, server } = await setup([{ sse: chatCompletionChunks('ok') }], { streamUsage: false });
    await client.complete({ messages, onDelta: () => {} });
    expect(server.requests[0]!.body).not.toHaveProperty('stream_options');
  });

  it('Azure without the deployment in the base URL: the model names the deployment', async () => {
    server = await startScriptedChatServer([{}]);
    const origin = server.baseURL.replace(/\/v1$/, '');
    const client = createLlmClient({ baseURL: `${origin}/openai`, apiKey: 'azure-key', apiVersion: '2024-10-21', model: 'gpt-4o' });
    await client.complete({ messages });
    expect(server.requests[0]!.url).toBe('/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    expect(server.requests[0]!.headers['api-key']).toBe('azure-key');
  });

  it('a server that answers a streamed request with one JSON body is read as that body', async () => {
    const { client } = await setup([{ body: chatCompletionBody({ content: 'whole' }) }]);
    const r = await client.complete({ messages, onDelta: () => {} });
    expect(r.message.content).toBe('whole');
  });

  it('408 and 409 are retried; 404 is final', async () => {
    const { client, server } = await setup([{ status: 408 }, { status: 409, body: { error: { message: 'lock contention' } } }, {}]);
    expect((await client.complete({ messages })).retries).toBe(2);
    await server.close();
    const b = await setup([{ status: 404, body: { error: { message: 'The model `gpt-9` does not exist' } } }]);
    const e = await failure(b.client.complete({ messages }));
    expect([e.code, e.retryable, e.kind]).toEqual(['llm_bad_request', false, 'validation']);
    expect(e.message).toContain('does not exist');
    expect(b.server.requests).toHaveLength(1);
  });

  it('a redirect is not followed: a final error that names the new address', async () => {
    const { client, server } = await setup([{ status: 308, headers: { location: 'https://api.example.com/v1/chat/completions' } }]);
    const e = await failure(client.complete({ messages }));
    expect([e.code, e.retryable]).toEqual(['llm_bad_request', false]);
    expect(e.message).toContain('https://api.example.com/v1/chat/completions');
    expect(e.message).toContain('OPENAI_BASE_URL');
    expect(server.requests).toHaveLength(1);
  });

  it('a refused connection is a retryable unavailable error', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const client = createLlmClient({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'k', model: 'gpt-4o-mini', maxRetries: 1, sleep: async () => {} });
    const e = await failure(client.complete({ messages }));
    expect([e.code, e.retryable]).toEqual(['llm_unavailable', true]);
    expect(e.message).toContain('ECONNREFUSED');
  });

  it('a connection dropped in the middle of a stream is retried', async () => {
    const half = STREAM.subarray(0, 200);
    const { client, server } = await setup([{ pieces: [half] }, { sse: chatCompletionChunks('second') }]);
    // The first reply ends after 200 bytes without [DONE] and without its blank line: the
    // partial JSON is not a chunk, so the attempt fails and is retried.
    const r = await client.complete({ messages, onDelta: () => {} });
    expect(r.message.content).toBe('second');
    expect(server.requests).toHaveLength(2);
  });

  it('an `event: error` after some text voids the attempt; the retry starts over', async () => {
    const broken = Buffer.from(`data: ${chunk({ content: 'Your or' })}\n\nevent: error\ndata: {"message":"overloaded"}\n\n`);
    const attempts: number[] = [];
    const { client } = await setup([{ pieces: [broken] }, { sse: chatCompletionChunks('Your order shipped.') }]);
    const r = await client.complete({ messages, onDelta: () => {}, onAttempt: (n) => attempts.push(n) });
    expect(r.message.content).toBe('Your order shipped.');
    expect(attempts).toEqual([1, 2]);
  });

  it('an aborted signal destroys the request before it is sent, and later the response being read', async () => {
    const first = Buffer.from(`data: ${chunk({ content: 'Hel' })}\n\n`);
    server = await startScriptedChatServer([{ pieces: [first, first], sseGapMs: 30_000 }]);
    const transport = createHttpTransport({ maxSockets: 2 });
    const url = new URL(`${server.baseURL}/chat/completions`);
    const headers = { 'content-type': 'application/json' };
    const early = new AbortController();
    early.abort('gone');
    const e = (await transport.post(url, headers, '{}', early.signal).catch((x: unknown) => x)) as { name?: string; code?: string; cause?: unknown };
    expect([e.name, e.code, e.cause]).toEqual(['AbortError', 'ABORT_ERR', 'gone']);
    const late = new AbortController();
    const res = await transport.post(url, headers, JSON.stringify({ model: 'm', messages, stream: true }), late.signal);
    const read: string[] = [];
    const reading = readTextChunks(res, (t) => (read.push(t), late.abort('stop')));
    await expect(reading).rejects.toThrow();
    expect(read.join('')).toContain('Hel');
    // The aborted request never reached the server; the second did, once.
    expect(server.requests).toHaveLength(1);
    transport.close();
  });

  it('times out and aborts a stream that stalls after its first chunk', async () => {
    const first = Buffer.from(`data: ${chunk({ content: 'Hel' })}\n\n`);
    const { client } = await setup([{ pieces: [first, first], sseGapMs: 30_000 }], { timeoutMs: 150, maxRetries: 0 });
    const seen: string[] = [];
    expect(await client.complete({ messages, onDelta: (d) => d.kind === 'content' && seen.push(d.text) }).catch((e: unknown) => e)).toBeInstanceOf(LlmTimeoutError);
    expect(seen).toEqual(['Hel']);
    const ac = new AbortController();
    const p = client.complete({ messages, signal: ac.signal, onDelta: () => ac.abort() }).catch((e: unknown) => e);
    expect(await p).toBeInstanceOf(LlmAbortedError);
  });
});
