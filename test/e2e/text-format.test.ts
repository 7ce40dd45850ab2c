import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { IngressClient } from '../helpers/client.ts';
import { HAS_TAUBENCH, TAUBENCH_DIR } from '../helpers/shared-data.ts';

// A model without native tool calling: the tools are described in the system prompt and the
// model answers in the text format (Thought / Action / Final Answer), parsed by @steward/llm.
const url = inject('redisUrl');
const prefix = uniquePrefix('text');
let sys: RunningSystem;
let api: IngressClient;

describe.skipIf(!HAS_TAUBENCH)('text-format tool calling through the pipeline', () => {
  beforeAll(async () => {
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: TAUBENCH_DIR,
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
    const q = await api.ask({ customerId: 'james_li_5688', text: 'What is the status of my order #W2611340?' });
    expect(q.outcome).toBe('answered');
    expect(q.toolCalls).toBeGreaterThanOrEqual(1);
    expect(q.answer).toMatch(/processed/);
    expect(q.answer).not.toMatch(/Final Answer:|Thought:/);
  });
});
