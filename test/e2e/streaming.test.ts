import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, startOtlpReceiver, uniquePrefix, type OtlpReceiver } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { startSimLlm, type SimLlm } from '@steward/sim-llm';
import { IngressClient } from '../helpers/client.ts';
import { e2eData } from '../helpers/e2e-data.ts';

const data = e2eData();

// Streamed answers through the whole pipeline: while a client watches the conversation live (an
// event stream open at the ingress, ADR 0032) the reasoning-worker streams each LLM call from
// sim-llm and publishes the answer's pieces; ingress relays them over SSE before the committed
// answer; the chat span carries the time to first token and /metrics its histogram. Nobody
// watching: the model is asked without `stream` (seen at sim-llm, a real HTTP double).
const url = inject('redisUrl');
const prefix = uniquePrefix('stream');
const KEY = 'stream-key';
let sys: RunningSystem;
let sim: SimLlm;
/** The conversation the streaming test asked in (the time-to-first-token test asks there again). */
let streamedConversation = '';
let otlp: OtlpReceiver;
let api: IngressClient;
const saved: Record<string, string | undefined> = {};

interface Frame {
  event: string;
  data: Record<string, unknown>;
  at: number;
}

/** Reads an SSE response frame by frame, noting when each arrived, until query.completed. */
async function collectSse(path: string): Promise<Frame[]> {
  const res = await fetch(`${sys.url}${path}`, { headers: { authorization: `Bearer ${KEY}` }, signal: AbortSignal.timeout(30_000) });
  const frames: Frame[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) frames.push({ event, data: JSON.parse(data) as Record<string, unknown>, at: Date.now() });
    }
  }
  return frames;
}

/**
 * Opens the conversation's event stream (as the web chat keeps it open) and resolves once its
 * greeting arrived: the conversation is marked watched by then. Returns the way to close it.
 */
async function watchConversation(conversationId: string): Promise<() => void> {
  const c = new AbortController();
  const res = await fetch(`${sys.url}/v1/conversations/${conversationId}/events`, { headers: { authorization: `Bearer ${KEY}` }, signal: c.signal });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buf = '';
  while (!buf.includes(': connected')) {
    const { value, done } = await reader.read();
    if (done) throw new Error('the conversation stream ended before its greeting');
    buf += decoder.decode(value, { stream: true });
  }
  return () => c.abort();
}

/** The model requests sim-llm received so far, and how many of them asked for a stream. */
const modelRequests = () => {
  const s = sim.stats();
  return { calls: s.calls, streamed: s.streamedReplies };
};

describe('streamed answers end to end', () => {
  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    for (const k of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL']) saved[k] = process.env[k];
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp.url;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    sim = await startSimLlm({ port: await freePort(), chunkDelayMs: 10 });
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      apiKeys: KEY,
      stream: true,
      llmBaseUrl: `${sim.url}/v1`,
      deliveries: false,
      ports: { ingress: await freePort(), shop: await freePort() },
      logLevel: 'warn',
    });
    api = new IngressClient(sys.url, KEY);
  });
  afterAll(async () => {
    await sys?.close();
    await sim?.close();
    await otlp?.close();
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    await deletePrefix(url, prefix);
  });

  it('nobody watching: the same question is answered without asking the model for a stream', async () => {
    const before = modelRequests();
    const q = await api.ask({ conversationId: `c_unwatched_${Date.now()}`, customerId: data.customer, text: `What is the status of my order ${data.statusOrder.id}?` });
    expect(q.outcome).toBe('answered');
    expect(String(q.answer)).toContain(`${data.statusOrder.id}`);
    const after = modelRequests();
    expect(after.calls - before.calls).toBe(q.turns);
    expect(q.turns).toBeGreaterThanOrEqual(2);
    expect(after.streamed).toBe(before.streamed);
  });

  it('the answer reaches the event stream piece by piece before the query completes, and the pieces are the committed answer', async () => {
    // The web chat's order: the conversation exists after its first message; its page keeps the
    // conversation's stream open, and each next question is followed on its own stream.
    const conversationId = (streamedConversation = `c_stream_${Date.now()}`);
    expect((await api.ask({ conversationId, customerId: data.customer, text: 'Hello' })).outcome).toBe('answered');
    const unwatch = await watchConversation(conversationId);
    const before = modelRequests();
    const posted = await api.post({ conversationId, customerId: data.customer, text: `What is the status of my order ${data.statusOrder.id}?` });
    expect(posted.status).toBe(202);
    const queryId = String(posted.json.queryId);
    const frames = await collectSse(`/v1/queries/${queryId}/events`);
    unwatch();
    // Every model call of this query was streamed.
    const after = modelRequests();
    expect(after.calls - before.calls).toBeGreaterThanOrEqual(2);
    expect(after.streamed - before.streamed).toBe(after.calls - before.calls);
    const done = frames.findIndex((f) => f.event === 'query.completed');
    expect(done).toBe(frames.length - 1);
    const completed = frames[done]!.data;
    expect(completed.outcome).toBe('answered');
    // Pieces of the last LLM call's stream (earlier turns called tools: theirs were withdrawn or never sent).
    const deltas = frames.filter((f) => f.event === 'answer.delta');
    expect(deltas.length).toBeGreaterThan(5);
    const lastStream = deltas.at(-1)!.data.streamId;
    const mine = deltas.filter((f) => f.data.streamId === lastStream);
    expect(mine.map((f) => f.data.text).join('')).toBe(completed.answer);
    // Offsets are contiguous: nothing lost, nothing twice.
    let offset = 0;
    for (const f of mine) {
      expect(f.data.offset).toBe(offset);
      offset += String(f.data.text).length;
    }
    // They arrived over time, not in one burst with the answer.
    expect(frames[done]!.at - mine[0]!.at).toBeGreaterThan(50);
    expect(String(completed.answer)).toContain(`${data.statusOrder.id}`);
  });

  it('a watcher who connects mid-query still gets the committed answer with query.completed', async () => {
    // Another customer: the per-customer bucket (burst 5) is left for the other tests.
    const posted = await api.post({ conversationId: `c_late_${Date.now()}`, customerId: data.foreignOwner, text: `What is the status of my order ${data.foreignOrder.id}?` });
    expect(posted.status).toBe(202);
    const queryId = String(posted.json.queryId);
    const frames = await collectSse(`/v1/queries/${queryId}/events`);
    const done = frames.at(-1)!;
    expect(done.event).toBe('query.completed');
    expect(done.data.outcome).toBe('answered');
    expect(done.data.answer).toBe((await api.waitFor(queryId)).answer);
    expect(String(done.data.answer)).toContain(`${data.foreignOrder.id}`);
  });

  it('records the time to first token in the chat spans and in /metrics', async () => {
    // The conversation of the test before (it exists): watched again, as the web chat's page would.
    const unwatch = await watchConversation(streamedConversation);
    const conversationId = streamedConversation;
    const q = await api.ask({ conversationId, customerId: data.customer, text: `What is the status of my order ${data.secondOrder.id}?` });
    unwatch();
    expect(q.outcome).toBe('answered');
    const spans = await otlp.waitForSpans((all) => all.some((s) => s.traceId === q.traceId && s.name === 'invoke_agent steward'), 15_000);
    const chats = spans.filter((s) => s.traceId === q.traceId && s.name.startsWith('chat '));
    expect(chats.length).toBe(q.turns);
    for (const c of chats) {
      const ttft = c.attributes['gen_ai.server.time_to_first_token'] as number;
      expect(ttft).toBeGreaterThan(0);
      expect(ttft).toBeLessThan((Number(BigInt(c.endTimeUnixNano) - BigInt(c.startTimeUnixNano)) / 1e9) + 1e-3);
    }
    let text = '';
    for (let i = 0; i < 100; i++) {
      text = await (await fetch(`${sys.url}/metrics`)).text();
      if (/^gen_ai_server_time_to_first_token_seconds_count\{[^}]*\} [1-9]/m.test(text)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toMatch(/^gen_ai_server_time_to_first_token_seconds_count\{[^}]*gen_ai_provider_name="steward.sim_llm"[^}]*\} [1-9]/m);
  });
});
