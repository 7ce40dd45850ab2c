import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startSimLlm, type SimLlm } from './server.ts';
import { TOOLS } from './test-shop.ts';
import { countMessageTokens, countToolDefinitionTokens } from '@steward/context';
import { countTokens } from './tokens.ts';

let sim: SimLlm;
let client: OpenAI;
beforeAll(async () => {
  sim = await startSimLlm({ port: 0 });
  client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'test', maxRetries: 0 });
});
afterAll(() => sim.close());

describe('usage and response shape', () => {
  it('counts completion tokens of the answer with o200k_base and adds up the total', async () => {
    const c = await client.chat.completions.create({ model: 'sim-llm-1', messages: [{ role: 'user', content: 'hello' }] });
    const content = c.choices[0]!.message.content!;
    expect(c.usage!.completion_tokens).toBe(countTokens(content));
    expect(c.usage!.total_tokens).toBe(c.usage!.prompt_tokens + c.usage!.completion_tokens);
    expect(c.object).toBe('chat.completion');
    expect(c.choices[0]!.finish_reason).toBe('stop');
  });

  it('bills a prompt exactly as the prompt builder of @steward/context counts it', async () => {
    const messages = [
      { role: 'system' as const, content: 'Verified customer: none\nCustomer language: zh' },
      { role: 'user' as const, content: '我的订单 #W2611340 到哪了？' },
    ];
    const c = await client.chat.completions.create({ model: 'sim-llm-1', messages });
    expect(c.usage!.prompt_tokens).toBe(countMessageTokens(messages, 'gpt-4o'));
  });

  it('prompt tokens grow with the prompt and with the tool definitions', async () => {
    const short = await client.chat.completions.create({ model: 'sim-llm-1', messages: [{ role: 'user', content: 'hi' }] });
    const long = await client.chat.completions.create({ model: 'sim-llm-1', messages: [{ role: 'user', content: 'hi '.repeat(200) }] });
    const tools = await client.chat.completions.create({ model: 'sim-llm-1', messages: [{ role: 'user', content: 'hi' }], tools: TOOLS });
    expect(long.usage!.prompt_tokens - short.usage!.prompt_tokens).toBe(countTokens('hi '.repeat(200)) - countTokens('hi'));
    expect(tools.usage!.prompt_tokens - short.usage!.prompt_tokens).toBe(countToolDefinitionTokens(TOOLS, 'gpt-4o'));
  });

  it('tool call ids are deterministic from the request, and tool-call tokens are counted', async () => {
    const req = { model: 'sim-llm-1', tools: TOOLS, messages: [{ role: 'system' as const, content: 'Verified customer: u1' }, { role: 'user' as const, content: 'status of #W2611340' }] };
    const a = await client.chat.completions.create(req);
    const b = await client.chat.completions.create(req);
    const ta = a.choices[0]!.message.tool_calls![0]!;
    expect(ta.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(ta.id).toBe(b.choices[0]!.message.tool_calls![0]!.id);
    expect(a.choices[0]!.finish_reason).toBe('tool_calls');
    const fn = ta.type === 'function' ? ta.function : { name: '', arguments: '' };
    expect(a.usage!.completion_tokens).toBe(countTokens(a.choices[0]!.message.content ?? '') + countTokens(fn.name) + countTokens(fn.arguments));
  });

  it('max_tokens cuts a long answer and reports finish_reason length', async () => {
    const c = await client.chat.completions.create({ model: 'sim-llm-1', max_tokens: 5, messages: [{ role: 'user', content: 'hello' }] });
    expect(c.choices[0]!.finish_reason).toBe('length');
    expect(c.usage!.completion_tokens).toBeLessThanOrEqual(5);
  });

  it('lists itself honestly as a test double and answers health checks', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['sim-llm-1']);
    expect(models.data[0]!.owned_by).toMatch(/test double, not AI/);
    const health = await fetch(`${sim.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('refuses an invalid body with an OpenAI-shaped 400', async () => {
    const r = await fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [] }) });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { type: string } };
    expect(body.error.type).toBe('invalid_request_error');
  });
});
