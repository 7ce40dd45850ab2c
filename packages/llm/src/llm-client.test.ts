import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it, expect, afterEach } from 'vitest';
import { isStewardError } from '@steward/core';
import { createLlmClient, type LlmClientOptions } from './llm-client.ts';
import { startScriptedChatServer, chatCompletionBody, type ScriptedChatServer, type ScriptedResponse } from './testing/scripted-chat-server.ts';
import { LlmRequestError, LlmTimeoutError, LlmUnavailableError, RateLimitedError, LlmAbortedError } from './errors.ts';

let server: ScriptedChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A client whose waits are recorded, not slept: no wall-clock assertions needed. */
async function setup(script: ScriptedResponse[], opts: Partial<LlmClientOptions> = {}) {
  server = await startScriptedChatServer(script);
  const waits: number[] = [];
  const client = createLlmClient({
    baseURL: server.baseURL,
    apiKey: 'test-key',
    model: 'gpt-4o-mini',
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5,
    ...opts,
  });
  return { client, waits, server };
}

const messages = [{ role: 'user' as const, content: 'where is my order?' }];
const rateLimited = (headers: Record<string, string>): ScriptedResponse => ({
  status: 429,
  headers,
  body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } },
});

describe('createLlmClient', () => {
  it('returns the assistant message, usage with cost, and no retries on success', async () => {
    const { client, waits } = await setup([
      { body: chatCompletionBody({ toolCalls: [{ id: 'call_1', name: 'get_order_details', arguments: '{"order_id":"#W1"}' }], promptTokens: 1000, completionTokens: 50, cachedTokens: 200 }) },
    ]);
    const r = await client.complete({ messages, maxTokens: 300, temperature: 0, tools: [{ type: 'function', function: { name: 'get_order_details', parameters: { type: 'object' } } }] });
    expect(r.message).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_order_details', arguments: '{"order_id":"#W1"}' } }],
    });
    expect(r.retries).toBe(0);
    expect(r.finishReason).toBe('tool_calls');
    expect(r.usage).toMatchObject({ model: 'gpt-4o-mini', provider: 'openai', inputTokens: 1000, outputTokens: 50, cachedInputTokens: 200, maxTokens: 300, temperature: 0, retries: 0 });
    // gpt-4o-mini: 800 × 0.15 + 200 × 0.075 + 50 × 0.6 per million.
    expect(r.usage.costUsd).toBeCloseTo((800 * 0.15 + 200 * 0.075 + 50 * 0.6) / 1e6, 12);
    expect(waits).toEqual([]);
    const sent = server!.requests[0]!.body as Record<string, unknown>;
    expect(sent).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 300, temperature: 0 });
    expect(sent.tools).toHaveLength(1);
  });

  it('retries a 429 after the Retry-After seconds the server asked for', async () => {
    const { client, waits } = await setup([rateLimited({ 'retry-after': '2' }), { body: chatCompletionBody({ content: 'Your order shipped.' }) }]);
    const r = await client.complete({ messages });
    expect(r.message.content).toBe('Your order shipped.');
    expect(r.retries).toBe(1);
    expect(r.usage.retries).toBe(1);
    expect(server!.requests).toHaveLength(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(2_000);
  });

  it('honours retry-after-ms and an HTTP-date Retry-After', async () => {
    const a = await setup([rateLimited({ 'retry-after-ms': '1500', 'retry-after': '9' }), {}]);
    await a.client.complete({ messages });
    expect(a.waits).toEqual([1500]);
    await server!.close();
    const now = Date.parse('2026-01-01T00:00:00Z');
    const b = await setup([rateLimited({ 'retry-after': new Date(now + 3_000).toUTCString() }), {}], { now: () => now });
    await b.client.complete({ messages });
    expect(b.waits[0]).toBeGreaterThanOrEqual(3_000);
  });

  it('retries 5xx with exponential backoff and full jitter, then gives up with a retryable error', async () => {
    const { client, waits } = await setup([{ status: 503, body: { error: { message: 'overloaded' } } }], {
      maxRetries: 3,
      backoff: { baseMs: 100, maxMs: 1_000 },
      random: () => 0.999,
    });
    const err = await client.complete({ messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(isStewardError(err) && err.retryable).toBe(true);
    expect(server!.requests).toHaveLength(4);
    // Caps 100, 200, 400 ms, jittered by random() = 0.999.
    expect(waits).toEqual([99, 199, 399]);
  });

  it('recovers from a 500 on the next attempt', async () => {
    const { client } = await setup([{ status: 500, body: { error: { message: 'boom' } } }, {}]);
    const r = await client.complete({ messages });
    expect(r.retries).toBe(1);
    expect(server!.requests).toHaveLength(2);
  });

  it('does not retry a 400 and says so in the error', async () => {
    const { client, waits } = await setup([{ status: 400, body: { error: { message: 'Invalid schema for function' } } }, {}]);
    const err = await client.complete({ messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmRequestError);
    expect((err as LlmRequestError).retryable).toBe(false);
    expect((err as LlmRequestError).message).toContain('Invalid schema');
    expect(server!.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('times out a hung attempt and retries it', async () => {
    const { client } = await setup([{ delayMs: 30_000 }, { body: chatCompletionBody({ content: 'late but fine' }) }], { timeoutMs: 200 });
    const r = await client.complete({ messages });
    expect(r.message.content).toBe('late but fine');
    expect(r.retries).toBe(1);
  });

  it('throws LlmTimeoutError when every attempt times out', async () => {
    const { client } = await setup([{ delayMs: 30_000 }], { timeoutMs: 100, maxRetries: 1 });
    const err = await client.complete({ messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmTimeoutError);
    expect(server!.requests).toHaveLength(2);
  });

  it('retries a dropped connection', async () => {
    const { client } = await setup([{ hangUp: true }, {}]);
    const r = await client.complete({ messages });
    expect(r.retries).toBe(1);
  });

  it('hands a 429 straight to the caller when rate-limit retries are off, with retryAfterMs', async () => {
    const { client } = await setup([rateLimited({ 'retry-after': '7' }), {}], { maxRateLimitRetries: 0 });
    const err = await client.complete({ messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(7_000);
    expect((err as RateLimitedError).kind).toBe('rate_limited');
    expect(server!.requests).toHaveLength(1);
  });

  it('does not wait out a Retry-After longer than maxRetryAfterMs', async () => {
    const { client, waits } = await setup([rateLimited({ 'retry-after': '120' }), {}], { maxRetryAfterMs: 10_000 });
    const err = await client.complete({ messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(waits).toEqual([]);
  });

  it('stops when the caller aborts', async () => {
    const { client } = await setup([{ delayMs: 30_000 }]);
    const ac = new AbortController();
    const p = client.complete({ messages, signal: ac.signal }).catch((e: unknown) => e);
    // Abort once the request is at the server (a fixed delay raced the request on a busy machine).
    while (server!.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    expect(await p).toBeInstanceOf(LlmAbortedError);
    expect(server!.requests).toHaveLength(1);
  });

  it('reports each retry to onRetry', async () => {
    const seen: number[] = [];
    const { client } = await setup([{ status: 502 }, { status: 502 }, {}], { onRetry: (i) => seen.push(i.retry) });
    await client.complete({ messages });
    expect(seen).toEqual([1, 2]);
  });

  it('sends max_completion_tokens to OpenAI reasoning models', async () => {
    const { client } = await setup([{}], { model: 'o4-mini' });
    await client.complete({ messages, maxTokens: 500 });
    expect(server!.requests[0]!.body).toMatchObject({ max_completion_tokens: 500 });
  });

  it('holds neither the messages nor the tools while the model works, and sends the same body on a retry', async () => {
    // A reasoning-worker holds every call in flight for the model's latency: what the call keeps
    // referenced is copied by each scavenge meanwhile. Only the encoded body (outside the heap) may stay.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { client } = await setup([{ status: 503 }, { delayMs: 300, body: chatCompletionBody({ content: 'Shipped.' }) }]);
    let held: WeakRef<object>[] = [];
    const pending = (() => {
      const msgs = [{ role: 'user' as const, content: 'where is my order? '.repeat(200) }];
      const tools = [{ type: 'function' as const, function: { name: 'get_order_details', parameters: { type: 'object' } } }];
      held = [new WeakRef(msgs), new WeakRef(tools)];
      return client.complete({ messages: msgs, tools, maxTokens: 100 });
    })();
    for (let i = 0; i < 200 && server!.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(server!.requests).toHaveLength(2);
    gc();
    expect(held.map((w) => w.deref())).toEqual([undefined, undefined]);
    const r = await pending;
    expect(r.message.content).toBe('Shipped.');
    expect(r.usage).toMatchObject({ maxTokens: 100 });
    const [first, second] = server!.requests.map((q) => q.body as { messages: { content: string }[]; tools: unknown[]; max_tokens: number });
    expect(second).toEqual(first);
    expect(first!.messages[0]!.content).toBe('where is my order? '.repeat(200));
    expect(first!.tools).toHaveLength(1);
    expect(first!.max_tokens).toBe(100);
  });
});
