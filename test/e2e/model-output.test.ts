import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { chatCompletionBody, startScriptedChatServer, type ScriptedChatServer } from '@steward/llm';
import { IngressClient } from '../helpers/client.ts';
import { e2eData } from '../helpers/e2e-data.ts';

const data = e2eData();

// What a misbehaving model does to a query: a reply with broken tool calls is asked again, and
// one that stays broken ends under its own reason (model_fault), never as a loop. And the JSON
// tool style (LLM_TOOL_STYLE=json) through the whole pipeline.
const url = inject('redisUrl');

async function completedEvent(sys: RunningSystem, key: string, queryId: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${sys.url}/v1/queries/${queryId}/events`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  const block = text.split('\n\n').find((b) => b.includes('event: query.completed'));
  return JSON.parse(/^data: (.*)$/m.exec(block ?? '')?.[1] ?? '{}') as Record<string, unknown>;
}

describe('model faults are not loops', () => {
  const prefix = uniquePrefix('faults');
  let sys: RunningSystem;
  let api: IngressClient;
  beforeAll(async () => {
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      apiKeys: 'fault-key',
      // Many questions of one customer in seconds: admission is not what this measures.
      admit: false,
      // A third of the calls come back with broken tool-call arguments.
      simLlm: { faults: 'malformed:0.3', seed: 'model-faults' },
      tracer: false,
      deliveries: false,
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
    });
    api = new IngressClient(sys.url, 'fault-key');
  });
  afterAll(async () => {
    await sys?.close();
    await deletePrefix(url, prefix);
  });

  it('a model that keeps breaking its tool calls ends as model_fault, after being asked again', async () => {
    // #sim:malformed: sim-llm breaks the arguments every time it sees this same request.
    const q = await api.ask({ customerId: data.customer, text: `Where is my order ${data.statusOrder.id}? #sim:malformed` });
    expect(q.outcome).toBe('fallback');
    const done = await completedEvent(sys, 'fault-key', q.queryId);
    expect(done.reason).toBe('model_fault');
    expect(q.toolCalls).toBe(0);
    const trace = await api.get<{ steps: { kind: string; error?: string }[] }>(`/v1/traces/${q.queryId}`);
    expect(JSON.stringify(trace.json)).toContain('not a JSON object');
  });

  it('under random malformed replies every query ends answered, none as a loop', async () => {
    const orders = [`${data.statusOrder.id}`, `${data.secondOrder.id}`, `${data.returnOrder.id}`, `${data.statusOrder.id}`, `${data.secondOrder.id}`, `${data.returnOrder.id}`];
    const qs = await Promise.all(orders.map((o, i) => api.ask({ conversationId: `c_fault_${i}_${Date.now()}`, customerId: data.customer, text: `What is the status of my order ${o}?` })));
    const reasons = await Promise.all(qs.map(async (q) => (await completedEvent(sys, 'fault-key', q.queryId)).reason));
    expect(reasons).not.toContain('loop_detected');
    // Two re-asks at 30 % each: a query fails only if three replies in a row are broken.
    expect(reasons.filter((r) => r === 'answered').length).toBeGreaterThanOrEqual(orders.length - 1);
  });
});

describe('JSON tool style through the pipeline', () => {
  const prefix = uniquePrefix('json');
  let sys: RunningSystem;
  let api: IngressClient;
  beforeAll(async () => {
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      apiKeys: 'json-key',
      toolStyle: 'json',
      stream: true,
      tracer: false,
      deliveries: false,
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
    });
    api = new IngressClient(sys.url, 'json-key');
  });
  afterAll(async () => {
    await sys?.close();
    await deletePrefix(url, prefix);
  });

  it('calls tools and answers with one JSON object per turn; the customer sees only the answer', async () => {
    const q = await api.ask({ customerId: data.customer, text: `What is the status of my order ${data.statusOrder.id}?` });
    expect(q.outcome).toBe('answered');
    expect(q.toolCalls).toBeGreaterThanOrEqual(1);
    expect(q.answer).toMatch(/processed/);
    expect(q.answer).not.toMatch(/[{}]|"answer"|"thought"/);
  });
});

describe('a reasoning model (DeepSeek reasoner shape) through the pipeline', () => {
  const prefix = uniquePrefix('reasoner');
  let sys: RunningSystem;
  let model: ScriptedChatServer;
  let api: IngressClient;
  const reasoning = 'The customer noah.kim@example.com asks about returns; policy says 30 days.';
  beforeAll(async () => {
    const reply = chatCompletionBody({ content: 'You can return items within 30 days of delivery.', model: 'deepseek-reasoner', promptTokens: 900, completionTokens: 120 });
    const choice = (reply.choices as { message: Record<string, unknown> }[])[0]!;
    choice.message.reasoning_content = reasoning;
    reply.usage = { prompt_tokens: 900, completion_tokens: 120, total_tokens: 1020, prompt_cache_hit_tokens: 640, prompt_cache_miss_tokens: 260, completion_tokens_details: { reasoning_tokens: 80 } };
    model = await startScriptedChatServer([{ body: reply }]);
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      apiKeys: 'reasoner-key',
      llmBaseUrl: model.baseURL,
      llmModel: 'deepseek-reasoner',
      tracer: false,
      deliveries: false,
      ports: { ingress: await freePort(), shop: await freePort() },
      logLevel: 'warn',
    });
    api = new IngressClient(sys.url, 'reasoner-key');
  });
  afterAll(async () => {
    await sys?.close();
    await model?.close();
    await deletePrefix(url, prefix);
  });

  it('keeps the reasoning out of the answer, records it (redacted) as the step thought, counts its tokens', async () => {
    const q = await api.ask({ customerId: data.customer, text: 'What is your return policy?' });
    expect(q.outcome).toBe('answered');
    expect(q.answer).toBe('You can return items within 30 days of delivery.');
    const view = await api.get<{ tokens: { input: number; output: number } }>(`/v1/queries/${q.queryId}`);
    expect(view.json.tokens).toEqual({ input: 900, output: 120 });
    const trace = await api.get<{ steps: { thought?: string }[] }>(`/v1/traces/${q.queryId}`);
    const thought = trace.json.steps.map((s) => s.thought ?? '').join(' ');
    expect(thought).toContain('policy says 30 days');
    expect(thought).not.toContain('noah.kim@example.com');
  });
});
