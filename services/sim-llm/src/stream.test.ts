import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startSimLlm, type SimLlm } from './server.ts';
import { systemPrompt } from './test-shop.ts';

let sim: SimLlm;
let client: OpenAI;
beforeAll(async () => {
  sim = await startSimLlm({ port: 0, chunkDelayMs: 5 });
  client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'test', maxRetries: 0 });
});
afterAll(() => sim.close());

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'find_user_id_by_email', parameters: { type: 'object', properties: { email: { type: 'string' } } } } },
  { type: 'function', function: { name: 'get_order_details', parameters: { type: 'object', properties: { order_id: { type: 'string' } } } } },
];

/** Streams a request and folds it as a client would; also returns the arrival time of each text piece. */
async function streamed(body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming) {
  const s = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
  let content = '';
  const pieces: string[] = [];
  const calls: { id?: string; name: string; arguments: string }[] = [];
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const c of s) {
    if (c.usage) usage = c.usage;
    const ch = c.choices[0];
    if (!ch) continue;
    if (ch.finish_reason) finish = ch.finish_reason;
    if (ch.delta.content) {
      content += ch.delta.content;
      pieces.push(ch.delta.content);
    }
    for (const t of ch.delta.tool_calls ?? []) {
      const acc = (calls[t.index] ??= { name: '', arguments: '' });
      if (t.id) acc.id = t.id;
      acc.name += t.function?.name ?? '';
      acc.arguments += t.function?.arguments ?? '';
    }
  }
  return { content, pieces, calls, finish, usage };
}

describe('streaming (stream: true)', () => {
  it('a streamed reply is the same reply as the non-streamed one, in many pieces, with usage last', async () => {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'system', content: systemPrompt(null, 'en') },
      { role: 'user', content: 'Hi, where is my order #W2378156? My email is noah@example.com' },
    ];
    const whole = await client.chat.completions.create({ model: 'sim-llm', messages, tools });
    const s = await streamed({ model: 'sim-llm', messages, tools });
    const m = whole.choices[0]!.message;
    expect(s.calls).toEqual((m.tool_calls ?? []).map((c) => (c.type === 'function' ? { id: c.id, name: c.function.name, arguments: c.function.arguments } : null)));
    expect(s.content).toBe(m.content ?? '');
    expect(s.finish).toBe(whole.choices[0]!.finish_reason);
    expect(s.usage).toEqual(whole.usage);
    expect(sim.stats().streamedReplies).toBe(1);
  });

  it('an answer arrives in token-sized pieces', async () => {
    const s = await streamed({ model: 'sim-llm', messages: [{ role: 'system', content: systemPrompt(null, 'en') }, { role: 'user', content: 'What is your return policy?' }] });
    expect(s.content.length).toBeGreaterThan(20);
    expect(s.pieces.length).toBeGreaterThan(5);
    expect(Math.max(...s.pieces.map((p) => p.length))).toBeLessThanOrEqual(8);
    expect(s.finish).toBe('stop');
  });
});

describe('JSON mode (response_format json_object)', () => {
  it('replies with one JSON object: tool calls, or an answer', async () => {
    const r = await client.chat.completions.create({
      model: 'sim-llm',
      response_format: { type: 'json_object' },
      messages: [
        { role: 'system', content: `${systemPrompt(null, 'en')}\nYou can use these tools:\n- find_user_id_by_email: find a user\n- get_order_details: read an order` },
        { role: 'user', content: 'Hi, where is my order #W2378156? My email is noah@example.com' },
      ],
    });
    const reply = JSON.parse(r.choices[0]!.message.content ?? '') as { tool_calls?: { name: string; arguments: Record<string, unknown> }[]; answer?: string };
    expect(reply.tool_calls?.[0]).toEqual({ name: 'find_user_id_by_email', arguments: { email: 'noah@example.com' } });
    expect(reply.answer).toBeUndefined();
  });
});
