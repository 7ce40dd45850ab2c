import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { IngressClient } from '../helpers/client.ts';
import { e2eData } from '../helpers/e2e-data.ts';

// A model without native tool calling: the tools are described in the system prompt and the
// model answers in the text format (Thought / Action / Final Answer), parsed by @steward/llm.
const url = inject('redisUrl');
const prefix = uniquePrefix('text');
let sys: RunningSystem;
let api: IngressClient;
const data = e2eData();

describe(`text-format tool calling through the pipeline (${data.source} data)`, () => {
  beforeAll(async () => {
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      apiKeys: 'text-key',
      toolStyle: 'text',
      tracer: false,
      deliveries: false,
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
    });
    api = new IngressClient(sys.url, 'text-key');
  });
  afterAll(async () => {
    await sys?.close();
    await deletePrefix(url, prefix);
  });

  it('calls tools through Action lines and answers with the Final Answer', async () => {
    const order = data.statusOrder;
    const q = await api.ask({ customerId: data.customer, text: `What is the status of my order ${order.id}?` });
    expect(q.outcome).toBe('answered');
    expect(q.toolCalls).toBeGreaterThanOrEqual(1);
    expect(q.answer).toContain(order.id);
    expect(q.answer).toMatch(new RegExp(order.status));
    expect(q.answer).not.toMatch(/Final Answer:|Thought:/);
  });
});
