import { describe, it, expect } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { buildChildSpan, buildRootSpan, eventsToSpans } from './build-spans.ts';
import { createTelemetryResource } from './span-exporter.ts';
import { PII, sampleQuery } from './sample-events.ts';

const resource = createTelemetryResource({ serviceName: 'steward-test', resourceAttributes: {} });
const byName = (spans: ReadableSpan[], name: string): ReadableSpan => {
  const s = spans.find((x) => x.name === name);
  if (!s) throw new Error(`no span ${name}; have ${spans.map((x) => x.name).join(', ')}`);
  return s;
};
const hrToMs = (t: readonly [number, number]): number => t[0] * 1000 + t[1] / 1e6;

function assertNoPii(spans: ReadableSpan[]): void {
  const text = JSON.stringify(
    spans.map((s) => ({ n: s.name, a: s.attributes, e: s.events, st: s.status })),
  );
  expect(text).not.toContain(PII.email);
  expect(text).not.toContain(PII.cardDigits);
  expect(text).not.toContain(PII.card);
  expect(text).not.toContain(PII.street);
  expect(text).not.toContain(PII.lastFour);
  expect(text).not.toContain('555-0134');
}

describe('eventsToSpans', () => {
  it('builds the GenAI span tree with ids, kinds, times and attributes from the events', () => {
    const q = sampleQuery();
    const spans = eventsToSpans(q.events, { resource });
    expect(spans.map((s) => s.name).sort()).toEqual([
      'chat sim-llm-1',
      'chat sim-llm-1',
      'execute_tool find_user_id_by_email',
      'execute_tool get_order_details',
      'invoke_agent steward',
    ]);
    for (const s of spans) expect(s.spanContext().traceId).toBe(q.traceId);

    const root = byName(spans, 'invoke_agent steward');
    expect(root.spanContext().spanId).toBe(q.rootSpanId);
    expect(root.parentSpanContext?.spanId).toBe(q.parentSpanId);
    expect(root.parentSpanContext?.isRemote).toBe(true);
    expect(root.kind).toBe(SpanKind.INTERNAL);
    expect(hrToMs(root.startTime)).toBe(1_760_000_000_000);
    expect(hrToMs(root.endTime)).toBe(1_760_000_000_910);
    expect(root.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'steward',
      'gen_ai.conversation.id': q.conversationId,
      'steward.query.id': q.queryId,
      'steward.outcome': 'answered',
      'steward.end_reason': 'answered',
      'steward.turns': 2,
      'steward.tool_calls': 2,
      'gen_ai.usage.input_tokens': 1836,
      'gen_ai.usage.output_tokens': 144,
      'steward.cost_usd': 0.0027,
      'steward.channel': 'web',
    });
    expect(root.status.code).toBe(SpanStatusCode.UNSET);
    expect(root.events.map((e) => [e.name, e.attributes?.['steward.decision.kind']])).toEqual([
      ['steward.control.decision', 'loop_warning'],
    ]);

    const children = spans.filter((s) => s !== root);
    for (const c of children) expect(c.parentSpanContext?.spanId).toBe(q.rootSpanId);

    const chat = spans.find((s) => s.name === 'chat sim-llm-1' && s.attributes['steward.turn'] === 0)!;
    expect(chat.kind).toBe(SpanKind.CLIENT);
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'sim-llm-1',
      'gen_ai.request.max_tokens': 500,
      'gen_ai.request.temperature': 0,
      'gen_ai.response.finish_reasons': ['tool_calls'],
      'gen_ai.usage.input_tokens': 812,
      'gen_ai.usage.output_tokens': 64,
      'gen_ai.usage.cache_read.input_tokens': 256,
      'steward.llm.retries': 1,
    });
    expect(hrToMs(chat.startTime)).toBe(1_760_000_000_010);
    expect(chat.attributes['gen_ai.output.messages']).toBeUndefined();

    const tool = byName(spans, 'execute_tool find_user_id_by_email');
    expect(tool.kind).toBe(SpanKind.INTERNAL);
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'find_user_id_by_email',
      'gen_ai.tool.call.id': 'call_1',
      'gen_ai.tool.type': 'function',
      'steward.cache_hit': false,
    });
    expect(tool.attributes['error.type']).toBeUndefined();
    expect(tool.attributes['gen_ai.tool.call.arguments']).toBeUndefined();

    const failed = byName(spans, 'execute_tool get_order_details');
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed.attributes['error.type']).toBe('not_found');
    expect(failed.attributes['steward.cache_hit']).toBe(true);
    assertNoPii(spans);
  });

  it('puts the time to first token (seconds) and reasoning tokens of a streamed call on its chat span', () => {
    const q = sampleQuery();
    const events = q.events.map((e) => (e.type === 'llm.call' && e.data.turn === 0 ? { ...e, data: { ...e.data, timeToFirstTokenMs: 240, reasoningTokens: 30 } } : e));
    const chats = eventsToSpans(events, { resource }).filter((s) => s.name.startsWith('chat '));
    const first = chats.find((s) => s.attributes['steward.turn'] === 0)!;
    const second = chats.find((s) => s.attributes['steward.turn'] === 1)!;
    expect(first.attributes['gen_ai.server.time_to_first_token']).toBe(0.24);
    expect(first.attributes['gen_ai.usage.reasoning.output_tokens']).toBe(30);
    // A call that was not streamed has no time to first token, rather than a made-up one.
    expect(second.attributes['gen_ai.server.time_to_first_token']).toBeUndefined();
  });

  it('records content only when capture is on, and then redacted', () => {
    const q = sampleQuery();
    const spans = eventsToSpans(q.events, { resource, captureContent: true });
    const tool = byName(spans, 'execute_tool find_user_id_by_email');
    expect(JSON.parse(String(tool.attributes['gen_ai.tool.call.arguments']))).toEqual({ email: '[REDACTED]' });
    expect(String(tool.attributes['gen_ai.tool.call.result'])).toContain('noah_brown_6181');
    const chat = spans.find((s) => s.name === 'chat sim-llm-1' && s.attributes['steward.turn'] === 0)!;
    const out = JSON.parse(String(chat.attributes['gen_ai.output.messages']));
    expect(out[0].parts[0]).toEqual({ type: 'reasoning', content: expect.stringContaining('[email]') });
    const root = byName(spans, 'invoke_agent steward');
    expect(String(root.attributes['gen_ai.output.messages'])).toContain('ships tomorrow to [address]');
    assertNoPii(spans);
  });

  it('marks a failed query and an LLM error with error status and error.type', () => {
    const q = sampleQuery({ outcome: 'fallback', reason: 'llm_unavailable' });
    const llm = { ...q.events[2]!, data: { ...q.events[2]!.data, error: 'rate_limited' } };
    const chat = buildChildSpan(llm, { resource })!;
    expect(chat.status.code).toBe(SpanStatusCode.ERROR);
    expect(chat.attributes['error.type']).toBe('rate_limited');
    const free = buildChildSpan({ ...llm, data: { ...llm.data, error: `timeout for ${PII.email}` } }, { resource })!;
    expect(free.attributes['error.type']).toBe('_OTHER');
    expect(free.status.message).not.toContain(PII.email);

    const root = buildRootSpan(q.events.at(-1)!, q.events, { resource })!;
    expect(root.status.code).toBe(SpanStatusCode.ERROR);
    expect(root.attributes['error.type']).toBe('llm_unavailable');
    expect(root.attributes['steward.outcome_class']).toBe('failed');
  });

  it('has no parent for a root without traceparent and skips events with bad data', () => {
    const q = sampleQuery();
    const done = q.events.at(-1)!;
    const data = { ...done.data };
    delete data.parentSpanId;
    const root = buildRootSpan({ ...done, data }, [], { resource })!;
    expect(root.parentSpanContext).toBeUndefined();
    expect(buildChildSpan({ ...q.events[2]!, data: { turn: 'x' } }, { resource })).toBeUndefined();
    expect(buildChildSpan(q.events[0]!, { resource })).toBeUndefined();
  });

  it('derives a valid trace id from the query when an event has none', () => {
    const q = sampleQuery();
    const { traceId: _t, ...noTrace } = q.events[3]!;
    const a = buildChildSpan(noTrace, { resource })!;
    const b = buildChildSpan(noTrace, { resource })!;
    expect(a.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.spanContext().traceId).toBe(b.spanContext().traceId);
  });
});
