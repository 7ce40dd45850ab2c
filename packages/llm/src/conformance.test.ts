// Provider conformance: each provider's documented response shapes, served by a real HTTP
// server on port 0, through the real client. Every quirk must come out as the one assistant
// message shape steward knows, or as an error that says whether to retry.
import { describe, it, expect, afterEach } from 'vitest';
import { isStewardError } from '@steward/core';
import { createLlmClient, type LlmClientOptions } from './llm-client.ts';
import { startScriptedChatServer, chatCompletionBody, chatCompletionChunks, type ScriptedChatServer, type ScriptedResponse } from './testing/scripted-chat-server.ts';
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

const messages = [{ role: 'user' as const, content: 'where is my order #W2378156?' }];
const completion = (message: Record<string, unknown>, extra: Record<string, unknown> = {}, finishReason = 'stop') => ({
  id: 'x',
  object: 'chat.completion',
  created: 0,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason }],
  usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  ...extra,
});
const fn = (id: string | undefined, name: string, args: unknown) => ({ ...(id ? { id } : {}), type: 'function', function: { name, arguments: args } });

async function failure(p: Promise<unknown>) {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isStewardError(e)) throw new Error(`expected a StewardError, got ${String(e)}`);
  return e;
}

describe('OpenAI chat completions', () => {
  it('parallel tool calls, with content alongside: both calls kept in order, the content kept as the thought', async () => {
    const { client } = await setup([
      {
        body: completion(
          {
            content: 'Let me look up both orders.',
            tool_calls: [fn('call_a', 'get_order_details', '{"order_id":"#W1"}'), fn('call_b', 'get_order_details', '{"order_id":"#W2"}')],
          },
          {},
          'tool_calls',
        ),
      },
    ]);
    const r = await client.complete({ messages });
    expect(r.message.content).toBe('Let me look up both orders.');
    expect(r.message.tool_calls?.map((c) => [c.id, c.function.arguments])).toEqual([
      ['call_a', '{"order_id":"#W1"}'],
      ['call_b', '{"order_id":"#W2"}'],
    ]);
    expect(r.finishReason).toBe('tool_calls');
  });

  it('a refusal becomes the reply to the customer', async () => {
    const { client } = await setup([{ body: completion({ content: null, refusal: "I'm sorry, I can't help with that." }) }]);
    const r = await client.complete({ messages });
    expect(r.message).toEqual({ role: 'assistant', content: "I'm sorry, I can't help with that." });
    expect(r.quirks).toContain('refusal');
  });

  it('`length` in the middle of a tool call: a non-retryable model fault that names the setting', async () => {
    const { client, server } = await setup([{ body: completion({ content: null, tool_calls: [fn('call_a', 'get_order_details', '{"order_id": "#W23')] }, {}, 'length') }]);
    const e = await failure(client.complete({ messages }));
    expect(e.code).toBe('llm_model_fault');
    expect(e.retryable).toBe(false);
    expect(e.details).toEqual({ fault: 'truncated' });
    expect(e.message).toContain('OUTPUT_TOKENS_PER_TURN');
    expect(server.requests).toHaveLength(1);
  });

  it('streams: text deltas in order, parallel tool-call pieces joined by index, usage from the last chunk, time to first token', async () => {
    const base = { id: 's', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini' };
    const delta = (d: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta: d, finish_reason: finish }] });
    const { client, server } = await setup([
      {
        sse: [
          delta({ role: 'assistant', content: null }),
          delta({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_order_details', arguments: '' } }] }),
          delta({ tool_calls: [{ index: 0, function: { arguments: '{"order_id":' } }] }),
          delta({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_user_details', arguments: '{"user_id":' } }] }),
          delta({ tool_calls: [{ index: 0, function: { arguments: '"#W1"}' } }] }),
          delta({ tool_calls: [{ index: 1, function: { arguments: '"u1"}' } }] }),
          delta({}, 'tool_calls'),
          { ...base, choices: [], usage: { prompt_tokens: 300, completion_tokens: 40, total_tokens: 340, prompt_tokens_details: { cached_tokens: 256 } } },
        ],
      },
      { sse: chatCompletionChunks('Your order #W1 shipped yesterday.', { size: 5 }) },
    ]);
    const deltas: StreamDelta[] = [];
    const r = await client.complete({ messages, onDelta: (d) => deltas.push(d) });
    expect(r.message.tool_calls?.map((c) => [c.id, c.function.name, c.function.arguments])).toEqual([
      ['call_a', 'get_order_details', '{"order_id":"#W1"}'],
      ['call_b', 'get_user_details', '{"user_id":"u1"}'],
    ]);
    expect(deltas).toEqual([{ kind: 'tool_call' }]);
    expect(r.usage).toMatchObject({ inputTokens: 300, outputTokens: 40, cachedInputTokens: 256 });
    expect(r.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(server.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });

    const text: StreamDelta[] = [];
    const a = await client.complete({ messages, onDelta: (d) => text.push(d) });
    expect(a.message.content).toBe('Your order #W1 shipped yesterday.');
    expect(text.map((d) => (d.kind === 'content' ? d.text : '|'))).toEqual(['Your ', 'order', ' #W1 ', 'shipp', 'ed ye', 'sterd', 'ay.']);
  });

  it('a stream whose usage is not a usage object fails as the same body sent whole does', async () => {
    const base = { id: 's', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini' };
    const badUsage = { prompt_tokens: '300', completion_tokens: 40 };
    const { client } = await setup(
      [
        { sse: [{ ...base, choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }] }, { ...base, choices: [], usage: badUsage }] },
        { body: completion({ content: 'ok' }, { usage: badUsage }) },
      ],
      { maxRetries: 0 },
    );
    const streamed = await failure(client.complete({ messages, onDelta: () => {} }));
    const whole = await failure(client.complete({ messages }));
    for (const e of [streamed, whole]) {
      expect([e.code, e.retryable]).toEqual(['llm_bad_response', true]);
      expect(e.message).toMatch(/^LLM response is not a chat completion: /);
    }
  });

  it('a folded stream normalises exactly as the body it amounts to (streamed path without the schema parse)', async () => {
    const base = { id: 's', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini-2024' };
    const delta = (d: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta: d, finish_reason: finish }] });
    const usage = { prompt_tokens: 30, completion_tokens: 7, prompt_tokens_details: null, completion_tokens_details: { reasoning_tokens: 2 }, extra: 'x' };
    const chunks = [
      delta({ role: 'assistant', content: 'Checking ' }),
      delta({ content: 'both.', reasoning_content: 'think' }),
      delta({ tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_order_details', arguments: { order_id: '#W1' } } }] }),
      delta({ tool_calls: [{ function: { name: 'get_user_details', arguments: '' } }] }),
      delta({ tool_calls: [{ function: { arguments: '{"user_id":"u1"}' } }] }),
      delta({}, 'tool_calls'),
      { ...base, choices: [], usage },
    ];
    const whole = completion(
      { content: 'Checking both.', reasoning_content: 'think', tool_calls: [fn('c1', 'get_order_details', { order_id: '#W1' }), fn(undefined, 'get_user_details', '{"user_id":"u1"}')] },
      { model: 'gpt-4o-mini-2024', usage },
      'tool_calls',
    );
    const { client } = await setup([{ sse: chunks }, { body: whole }]);
    const a = await client.complete({ messages, onDelta: () => {} });
    const b = await client.complete({ messages });
    const same = (r: typeof a) => ({ ...r, usage: { ...r.usage, startMs: 0, endMs: 0 }, timeToFirstTokenMs: undefined });
    expect(same(a)).toStrictEqual(same(b));
    expect(a.quirks).toEqual(['object_arguments', 'missing_tool_call_id']);
    expect(a.usage).toMatchObject({ model: 'gpt-4o-mini-2024', inputTokens: 30, outputTokens: 7 });
    expect(a.reasoningTokens).toBe(2);
  });

  it('an error event in the middle of a stream is retryable', async () => {
    const { client, server } = await setup([{ sse: [{ error: { message: 'The server had an error while processing your request.', type: 'server_error' } }] }, { sse: chatCompletionChunks('ok') }], { maxRetries: 1 });
    const r = await client.complete({ messages, onDelta: () => {} });
    expect(r.message.content).toBe('ok');
    expect(r.retries).toBe(1);
    expect(server.requests).toHaveLength(2);
  });
});

describe('DeepSeek', () => {
  const reasoner = completion(
    { content: 'Your order #W1 was delivered on Monday.', reasoning_content: 'The customer asks about #W1. The tool said delivered.' },
    {
      model: 'deepseek-reasoner',
      usage: {
        prompt_tokens: 1000,
        completion_tokens: 300,
        total_tokens: 1300,
        prompt_cache_hit_tokens: 800,
        prompt_cache_miss_tokens: 200,
        completion_tokens_details: { reasoning_tokens: 250 },
      },
    },
  );

  it('reasoning_content is kept apart from the answer, cache hits are counted and billed as cached, reasoning tokens reported', async () => {
    const { client } = await setup([{ body: reasoner }], { model: 'deepseek-reasoner' });
    const r = await client.complete({ messages });
    expect(r.message).toEqual({ role: 'assistant', content: 'Your order #W1 was delivered on Monday.' });
    expect(r.reasoning).toBe('The customer asks about #W1. The tool said delivered.');
    expect(r.reasoningTokens).toBe(250);
    expect(r.usage).toMatchObject({ provider: 'deepseek', inputTokens: 1000, cachedInputTokens: 800, outputTokens: 300 });
    expect(r.usage.costUsd).toBeCloseTo((200 * 0.28 + 800 * 0.028 + 300 * 0.42) / 1e6, 12);
  });

  it('the reasoning never goes back in the next request (DeepSeek rejects it there)', async () => {
    const { client, server } = await setup([{ body: reasoner }, { body: chatCompletionBody({ content: 'ok', model: 'deepseek-reasoner' }) }], { model: 'deepseek-reasoner' });
    const first = await client.complete({ messages });
    await client.complete({ messages: [...messages, first.message, { role: 'user', content: 'thanks' }] });
    const sent = JSON.stringify(server.requests[1]!.body);
    expect(sent).toContain('delivered on Monday');
    expect(sent).not.toContain('reasoning');
  });

  it('streamed reasoning is not streamed to the customer, but starts the time to first token', async () => {
    const base = { id: 's', object: 'chat.completion.chunk', created: 0, model: 'deepseek-reasoner' };
    const delta = (d: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta: d, finish_reason: finish }] });
    const { client } = await setup(
      [
        {
          sse: [
            delta({ role: 'assistant', content: null, reasoning_content: '' }),
            delta({ content: null, reasoning_content: 'Check the order' }),
            delta({ content: null, reasoning_content: ' status.' }),
            delta({ content: 'Delivered', reasoning_content: null }),
            delta({ content: ' on Monday.', reasoning_content: null }, 'stop'),
            { ...base, choices: [], usage: { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60, prompt_cache_hit_tokens: 0, prompt_cache_miss_tokens: 50 } },
          ],
          sseGapMs: 20,
        },
      ],
      { model: 'deepseek-reasoner' },
    );
    const deltas: StreamDelta[] = [];
    const r = await client.complete({ messages, onDelta: (d) => deltas.push(d) });
    expect(deltas).toEqual([
      { kind: 'content', text: 'Delivered' },
      { kind: 'content', text: ' on Monday.' },
    ]);
    expect(r.reasoning).toBe('Check the order status.');
    expect(r.message.content).toBe('Delivered on Monday.');
    // The first reasoning token came ~2 gaps in, well before the last chunk.
    expect(r.timeToFirstTokenMs).toBeLessThan(r.usage.endMs - r.usage.startMs);
  });
});

describe('Ollama and vLLM OpenAI-compatible servers', () => {
  it('hermes / Qwen tool calls written as text become tool calls; the text around them is the thought', async () => {
    const content =
      'I will look this up.\n<tool_call>\n{"name": "find_user_id_by_email", "arguments": {"email": "noah@example.com"}}\n</tool_call>\n<tool_call>\n{"name": "get_order_details", "arguments": {"order_id": "#W1"}}\n</tool_call>';
    const { client } = await setup([{ body: completion({ content }, { model: 'qwen2.5:7b' }) }], { model: 'qwen2.5:7b' });
    const r = await client.complete({ messages });
    expect(r.message.content).toBe('I will look this up.');
    expect(r.message.tool_calls).toEqual([
      { id: 'call_0', type: 'function', function: { name: 'find_user_id_by_email', arguments: '{"email":"noah@example.com"}' } },
      { id: 'call_1', type: 'function', function: { name: 'get_order_details', arguments: '{"order_id":"#W1"}' } },
    ]);
    expect(r.quirks).toEqual(expect.arrayContaining(['text_tool_calls', 'missing_tool_call_id']));
  });

  it('an unclosed <tool_call> block is a model fault, retried, then reported', async () => {
    const broken = completion({ content: '<tool_call>\n{"name": "get_order_details", "arguments": {"order_id": ' });
    const { client, server } = await setup([{ body: broken }]);
    const e = await failure(client.complete({ messages }));
    expect(e.code).toBe('llm_model_fault');
    expect(e.details).toEqual({ fault: 'malformed_tool_call' });
    expect(server.requests).toHaveLength(3);
  });

  it('Ollama: arguments as an object, no ids, finish_reason "stop" with tool calls, reasoning in `reasoning`', async () => {
    const { client } = await setup([
      {
        body: completion({
          content: '',
          reasoning: 'Need the order.',
          tool_calls: [fn(undefined, 'get_order_details', { order_id: '#W1' }), fn(undefined, 'get_user_details', { user_id: 'u1' })],
        }),
      },
    ]);
    const r = await client.complete({ messages });
    expect(r.finishReason).toBe('stop');
    expect(r.message.tool_calls).toEqual([
      { id: 'call_0', type: 'function', function: { name: 'get_order_details', arguments: '{"order_id":"#W1"}' } },
      { id: 'call_1', type: 'function', function: { name: 'get_user_details', arguments: '{"user_id":"u1"}' } },
    ]);
    expect(r.reasoning).toBe('Need the order.');
    expect(r.quirks).toEqual(expect.arrayContaining(['object_arguments', 'missing_tool_call_id', 'stop_with_tool_calls']));
  });

  it('vLLM: duplicate tool-call ids are made unique, the same way on every run', async () => {
    const { client } = await setup([
      { body: completion({ content: null, tool_calls: [fn('chatcmpl-tool-1', 'get_order_details', '{"order_id":"#W1"}'), fn('chatcmpl-tool-1', 'get_order_details', '{"order_id":"#W2"}')] }, {}, 'tool_calls') },
    ]);
    const r = await client.complete({ messages });
    expect(r.message.tool_calls?.map((c) => c.id)).toEqual(['chatcmpl-tool-1', 'chatcmpl-tool-1_1']);
    expect(r.quirks).toContain('duplicate_tool_call_id');
  });

  it('Ollama stream: each call whole in one chunk, with object arguments and no index', async () => {
    const base = { id: 's', object: 'chat.completion.chunk', created: 0, model: 'llama3.1' };
    const { client } = await setup([
      {
        sse: [
          { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '', tool_calls: [{ id: 'call_x', function: { name: 'get_order_details', arguments: '{"order_id":"#W1"}' } }] }, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '', tool_calls: [{ id: 'call_y', function: { name: 'get_user_details', arguments: { user_id: 'u1' } } }] }, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: 'stop' }] },
        ],
      },
    ]);
    const r = await client.complete({ messages, onDelta: () => {} });
    expect(r.message.tool_calls?.map((c) => [c.id, c.function.arguments])).toEqual([
      ['call_x', '{"order_id":"#W1"}'],
      ['call_y', '{"user_id":"u1"}'],
    ]);
  });
});

describe('Azure OpenAI', () => {
  it('deployment URL, api-version query, api-key header and no bearer token; content-filter fields ignored', async () => {
    server = await startScriptedChatServer([
      { body: completion({ content: 'Hello!' }, { prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] }) },
    ]);
    const origin = server.baseURL.replace(/\/v1$/, '');
    const client = createLlmClient({ baseURL: `${origin}/openai/deployments/support-gpt4o`, apiKey: 'azure-key', apiVersion: '2024-10-21', model: 'gpt-4o' });
    const r = await client.complete({ messages });
    expect(r.message.content).toBe('Hello!');
    const req = server.requests[0]!;
    expect(req.url).toBe('/openai/deployments/support-gpt4o/chat/completions?api-version=2024-10-21');
    expect(req.headers['api-key']).toBe('azure-key');
    expect(req.headers.authorization).toBeUndefined();
  });

  it('an Azure URL without an api-version is refused with the setting to set', () => {
    let e: unknown;
    try {
      createLlmClient({ baseURL: 'https://contoso.openai.azure.com/openai/deployments/d', apiKey: 'k', model: 'gpt-4o' });
    } catch (x) {
      e = x;
    }
    expect(isStewardError(e) && !e.retryable && e.message.includes('LLM_API_VERSION')).toBe(true);
  });
});

describe('broken endpoints', () => {
  it('an empty `choices` list is retried, then reported as a retryable bad response', async () => {
    const { client, server } = await setup([{ body: completion({}, { choices: [] }) }], { maxRetries: 1 });
    const e = await failure(client.complete({ messages }));
    expect(e.code).toBe('llm_bad_response');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('empty `choices`');
    expect(server.requests).toHaveLength(2);
  });

  it('an HTML error page from a proxy (502) is retryable and its message readable', async () => {
    const page = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
    const { client } = await setup([{ status: 502, raw: page }], { maxRetries: 0 });
    const e = await failure(client.complete({ messages }));
    expect(e.code).toBe('llm_unavailable');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('HTML error page');
    expect(e.message).toContain('502 Bad Gateway');
    expect(e.message).not.toContain('<');
  });

  it('an HTML page with 200 (the base URL points at a web page) is not retried and says what to check', async () => {
    const { client, server } = await setup([{ raw: '<!doctype html><html><body><h1>Welcome to Open WebUI</h1></body></html>' }]);
    const e = await failure(client.complete({ messages }));
    expect(e.code).toBe('llm_bad_response');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('OPENAI_BASE_URL');
    expect(server.requests).toHaveLength(1);
  });

  it('200 with an error body: an upstream failure is retried; a rate limit becomes a rate-limit error', async () => {
    const a = await setup([{ body: { error: { message: 'upstream provider error', code: 502 } } }, { body: chatCompletionBody({ content: 'ok' }) }]);
    expect((await a.client.complete({ messages })).retries).toBe(1);
    await server!.close();
    const b = await setup([{ body: { error: { message: 'Rate limit exceeded: free-models-per-min', code: 429 } } }], { maxRateLimitRetries: 0 });
    const e = await failure(b.client.complete({ messages }));
    expect(e.kind).toBe('rate_limited');
  });

  it('an empty reply is re-asked at once (its own budget), then a model fault', async () => {
    const { client, server } = await setup([{ body: completion({ content: '' }) }, { body: completion({ content: null }) }, { body: chatCompletionBody({ content: 'fine' }) }], { maxRetries: 0 });
    const r = await client.complete({ messages });
    expect(r.message.content).toBe('fine');
    expect(r.retries).toBe(2);
    await server.close();
    const b = await setup([{ body: completion({ content: '   ' }) }], { maxFaultRetries: 1 });
    const e = await failure(b.client.complete({ messages }));
    expect([e.code, e.details]).toEqual(['llm_model_fault', { fault: 'empty_reply' }]);
    expect(b.server.requests).toHaveLength(2);
  });

  it('tool-call arguments that are not JSON are a model fault, not a call with an error', async () => {
    const { client } = await setup([{ body: completion({ content: null, tool_calls: [fn('c1', 'get_order_details', '{"order_id": "#W1", "')] }, {}, 'tool_calls') }], { maxFaultRetries: 0 });
    const e = await failure(client.complete({ messages }));
    expect(e.details).toEqual({ fault: 'malformed_tool_call' });
    expect(e.retryable).toBe(true);
  });
});
