import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, startOtlpReceiver, uniquePrefix, type OtlpReceiver } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { IngressClient } from '../helpers/client.ts';
import { e2eData } from '../helpers/e2e-data.ts';

// The whole pipeline: every service against a private Redis, the shop loaded with the τ-bench
// data (or the generated catalog where ../shared is absent), the offline model, spans exported over OTLP to a real test receiver.
const url = inject('redisUrl');
const prefix = uniquePrefix('e2e');
const KEY = 'e2e-test-key';
let sys: RunningSystem;
let otlp: OtlpReceiver;
let api: IngressClient;
const saved: Record<string, string | undefined> = {};
const data = e2eData();
const customerId = data.customer;

describe(`pipeline end to end (${data.source} data)`, () => {
  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    for (const k of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL']) saved[k] = process.env[k];
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp.url;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      apiKeys: KEY,
      // Many questions of one customer in a few seconds: the per-customer bucket would refuse them
      // (admission has its own tests in test/channels and test/security).
      admit: false,
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
    });
    api = new IngressClient(sys.url, KEY);
  });
  afterAll(async () => {
    await sys?.close();
    await otlp?.close();
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    await deletePrefix(url, prefix);
  });

  it('answers an English order-status question with the real status', async () => {
    const order = data.statusOrder;
    const q = await api.ask({ customerId, text: `What is the status of my order ${order.id}?` });
    expect(q.status).toBe('completed');
    expect(q.outcome).toBe('answered');
    expect(q.language).toBe('en');
    expect(q.answer).toContain(order.id);
    expect(await orderStatus(order.id)).toBe(order.status);
    expect(q.answer).toMatch(new RegExp(order.status, 'i'));
    const trace = await api.get<{ steps: { kind: string; action?: string }[] }>(`/v1/traces/${q.queryId}`);
    expect(trace.status).toBe(200);
    expect(trace.json.steps.some((s) => s.kind === 'tool')).toBe(true);
  });

  it('answers the same question in Mandarin, in Mandarin', async () => {
    const q = await api.ask({ customerId, text: `我的订单 ${data.statusOrder.id} 现在是什么状态？` });
    expect(q.outcome).toBe('answered');
    expect(q.language).toBe('zh');
    expect(q.answer).toContain(data.statusOrder.id);
    expect(q.answer).toMatch(/[\u4e00-\u9fff]/);
  });

  it('returns a delivered item only after the customer confirms, leaving the order "return requested"', async () => {
    const conversationId = `c_ret_${Date.now()}`;
    const order = data.returnOrder;
    const first = await api.ask({ conversationId, customerId, text: `I want to return the ${order.itemName} from order ${order.id}.` });
    expect(first.outcome).toBe('answered');
    expect(first.answer).toContain(order.id);
    expect(await orderStatus(order.id)).toBe('delivered');
    const yes = await api.ask({ conversationId, customerId, text: 'Yes, please go ahead.' });
    expect(yes.outcome).toBe('answered');
    expect(await orderStatus(order.id)).toBe('return requested');
  });

  it('ends a looping conversation with the fallback and exactly one answer event', async () => {
    const q = await api.ask({ customerId, text: 'Where is my order? #sim:loop' });
    expect(q.status).toBe('failed');
    expect(q.outcome).toBe('fallback');
    expect(q.reason).toBe('loop_detected');
    // Detected well before the turn limit of 8.
    expect(q.turns).toBeLessThanOrEqual(4);
    const events = await api.get<{ steps: unknown[]; events?: unknown }>(`/v1/traces/${q.queryId}`);
    expect(events.status).toBe(200);
    const sse = await readSse(`${sys.url}/v1/queries/${q.queryId}/events?key=${KEY}`);
    expect(sse.filter((e) => e.event === 'query.completed')).toHaveLength(1);
  });

  it('gives a Mandarin customer the fallback in Mandarin', async () => {
    const q = await api.ask({ customerId, text: '我的订单到哪了？#sim:loop' });
    expect(q.outcome).toBe('fallback');
    expect(q.language).toBe('zh');
    expect(q.answer).toMatch(/[\u4e00-\u9fff]/);
    expect(q.answer).not.toMatch(/[A-Za-z]{4,}/);
  });

  it('answers after the model calls a tool that does not exist', async () => {
    const order = data.statusOrder;
    const q = await api.ask({ customerId, text: `Check order ${order.id} #sim:bad-tool` });
    expect(q.status).toBe('completed');
    expect(q.outcome).toBe('answered');
    // The failed call is in the trace, and the answer still carries the order's real status.
    expect(q.toolCalls).toBeGreaterThanOrEqual(2);
    expect(q.answer).toContain(order.id);
    expect(q.answer).toMatch(new RegExp(order.status, 'i'));
  });

  it('exports one root span per query with a child per LLM and tool call', async () => {
    const q = await api.ask({ customerId, text: `What is the status of my order ${data.secondOrder.id}?` });
    const spans = await otlp.waitForSpans(
      (all) => all.some((s) => s.traceId === q.traceId && s.name === 'invoke_agent steward'),
      15_000,
    );
    const mine = spans.filter((s) => s.traceId === q.traceId);
    const roots = mine.filter((s) => s.name === 'invoke_agent steward');
    expect(roots).toHaveLength(1);
    const root = roots[0]!;
    const chats = mine.filter((s) => s.name.startsWith('chat '));
    const tools = mine.filter((s) => s.name.startsWith('execute_tool '));
    expect(chats.length).toBe(q.turns);
    expect(tools.length).toBe(q.toolCalls);
    for (const c of [...chats, ...tools]) {
      expect(c.parentSpanId).toBe(root.spanId);
      expect(BigInt(c.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(root.startTimeUnixNano));
      expect(BigInt(c.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(root.endTimeUnixNano));
    }
  });

  it('serves fleet-wide Prometheus metrics: outcomes, job wait per queue, queue gauges', async () => {
    let text = '';
    // The tracer aggregates outcomes from the event stream and workers write job timings once per
    // JOB_TIMING_FLUSH_MS: give both a moment to catch up.
    for (let i = 0; i < 100; i++) {
      text = await (await fetch(`${sys.url}/metrics`)).text();
      const jobs = /^steward_job_wait_seconds_count\{queue="reasoning"\} [1-9]/m.test(text) && /^steward_job_processing_seconds_count\{queue="tools"\} [1-9]/m.test(text);
      if (jobs && /^steward_queries_total\{outcome="answered"\} [1-9]/m.test(text)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toMatch(/^steward_queries_total\{outcome="answered"\} [1-9]/m);
    expect(text).toMatch(/^steward_job_wait_seconds_count\{queue="reasoning"\} [1-9]/m);
    expect(text).toMatch(/^steward_job_processing_seconds_bucket\{queue="tools",le="\+Inf"\} [1-9]/m);
    expect(text).toMatch(/^steward_queue_jobs\{queue="control",state="waiting"\} \d+$/m);
  });
});

async function orderStatus(orderId: string): Promise<string> {
  const res = await fetch(`${sys.shopUrl}/v1/tools/get_order_details`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ arguments: { order_id: orderId }, customerId }),
  });
  const body = (await res.json()) as { result: string };
  return (JSON.parse(body.result) as { status: string }).status;
}

async function readSse(url: string): Promise<{ event: string; data: string }[]> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((b) => b.includes('event:'))
    .map((b) => ({
      event: /event: (.*)/.exec(b)?.[1] ?? '',
      data: /data: (.*)/.exec(b)?.[1] ?? '',
    }));
}
