// Events → spans following the OpenTelemetry GenAI semantic conventions (development status):
// `invoke_agent steward` per query, `chat {model}` per LLM call, `execute_tool {name}` per tool
// call. Message contents and tool arguments/results are recorded only when content capture is
// on (off by default, as the conventions ask) and are always redacted.
import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import {
  LlmCallEventData,
  QueryCompletedEventData,
  ToolCallEventData,
  stableSpanId,
  type StewardEvent,
} from '@steward/core';
import { classifyOutcome } from './outcome-class.ts';
import { namesInEvents } from './known-names.ts';
import { redactDeep, redactPii } from './redact-pii.ts';
import { SpanKind, attrs, normaliseSpanId, normaliseTraceId, toReadableSpan, type SpanDraft } from './readable-span.ts';

export const AGENT_NAME = 'steward';
/** Captured content longer than this is cut: a span attribute is not an archive. */
export const MAX_CAPTURED_CHARS = 4_000;

export interface SpanBuildOptions {
  resource: Resource;
  /** Record message contents and tool arguments/results (redacted). Default false. */
  captureContent?: boolean;
  /** Names known to be the customer's in this query's conversation (known-names.ts): redacted too. */
  names?: readonly string[];
}

/** `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true` turns content capture on. */
export function captureContentFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.trim().toLowerCase() === 'true';
}

export function rootSpanIdOf(queryId: string): string {
  return stableSpanId(queryId, 'root');
}

const clip = (s: string): string => (s.length > MAX_CAPTURED_CHARS ? `${s.slice(0, MAX_CAPTURED_CHARS)}…` : s);
const captured = (s: string, names: readonly string[] | undefined): string => clip(redactPii(s, { names }));
const capturedJson = (v: unknown, names: readonly string[] | undefined): string => clip(JSON.stringify(redactDeep(v, { names })));

/** A low-cardinality `error.type`: the emitter's code if it looks like one, else `_OTHER`. */
export function errorTypeOf(error: string): string {
  return /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/.test(error) ? error : '_OTHER';
}

/** Span of one `llm.call` or `tool.call` event; undefined for other events or bad data. */
export function buildChildSpan(event: StewardEvent, opts: SpanBuildOptions): ReadableSpan | undefined {
  const draft =
    event.type === 'llm.call' ? llmDraft(event, opts) : event.type === 'tool.call' ? toolDraft(event, opts) : undefined;
  return draft ? toReadableSpan(draft, opts.resource) : undefined;
}

function llmDraft(event: StewardEvent, opts: SpanBuildOptions): SpanDraft | undefined {
  const p = LlmCallEventData.safeParse(event.data);
  if (!p.success || !event.queryId) return undefined;
  const d = p.data;
  const a: Attributes = attrs({
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': d.provider,
    'gen_ai.request.model': d.model,
    'gen_ai.request.max_tokens': d.maxTokens,
    'gen_ai.request.temperature': d.temperature,
    'gen_ai.response.finish_reasons': d.finishReason ? [d.finishReason] : undefined,
    'gen_ai.usage.input_tokens': d.inputTokens,
    'gen_ai.usage.output_tokens': d.outputTokens,
    'gen_ai.usage.cache_read.input_tokens': d.cachedInputTokens,
    'gen_ai.usage.reasoning.output_tokens': d.reasoningTokens,
    // Seconds, as the GenAI conventions' metric of the same name; streamed calls only.
    'gen_ai.server.time_to_first_token': d.timeToFirstTokenMs === undefined ? undefined : d.timeToFirstTokenMs / 1000,
    'gen_ai.conversation.id': event.conversationId,
    'steward.query.id': event.queryId,
    'steward.turn': d.turn,
    'steward.llm.retries': d.retries ?? 0,
    'steward.cost_usd': d.costUsd,
    'error.type': d.error ? errorTypeOf(d.error) : undefined,
  });
  if (opts.captureContent) {
    const parts: Array<{ type: string; content: string }> = [];
    if (d.thought) parts.push({ type: 'reasoning', content: captured(d.thought, opts.names) });
    if (d.proposal) parts.push({ type: 'text', content: captured(d.proposal, opts.names) });
    if (parts.length) a['gen_ai.output.messages'] = JSON.stringify([{ role: 'assistant', parts }]);
  }
  return {
    name: `chat ${d.model}`,
    kind: SpanKind.CLIENT,
    traceId: normaliseTraceId(event.traceId, event.queryId),
    spanId: normaliseSpanId(d.spanId, event.id),
    parentSpanId: rootSpanIdOf(event.queryId),
    startMs: d.startMs,
    endMs: d.endMs,
    attributes: a,
    error: d.error ? { message: redactPii(d.error, { names: opts.names }) } : undefined,
  };
}

function toolDraft(event: StewardEvent, opts: SpanBuildOptions): SpanDraft | undefined {
  const p = ToolCallEventData.safeParse(event.data);
  if (!p.success || !event.queryId) return undefined;
  const d = p.data;
  const a: Attributes = attrs({
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': d.name,
    'gen_ai.tool.call.id': d.callId,
    'gen_ai.tool.type': 'function',
    'gen_ai.conversation.id': event.conversationId,
    'steward.query.id': event.queryId,
    'steward.turn': d.turn,
    'steward.tool.index': d.index,
    'steward.cache_hit': d.cacheHit,
    'error.type': d.ok ? undefined : (d.errorType ?? '_OTHER'),
  });
  if (opts.captureContent) {
    if (d.arguments) a['gen_ai.tool.call.arguments'] = capturedJson(d.arguments, opts.names);
    if (d.result !== undefined) a['gen_ai.tool.call.result'] = captured(d.result, opts.names);
  }
  return {
    name: `execute_tool ${d.name}`,
    kind: SpanKind.INTERNAL,
    traceId: normaliseTraceId(event.traceId, event.queryId),
    spanId: normaliseSpanId(d.spanId, event.id),
    parentSpanId: rootSpanIdOf(event.queryId),
    startMs: d.startMs,
    endMs: d.endMs,
    attributes: a,
    error: d.ok ? undefined : { message: d.errorType ?? 'tool call failed' },
  };
}

/**
 * The root span `invoke_agent steward` from `query.completed`; `related` are the other events of
 * the query (from its per-query list): decisions become span events, `query.accepted` adds the
 * channel and language.
 */
export function buildRootSpan(
  completed: StewardEvent,
  related: readonly StewardEvent[],
  opts: SpanBuildOptions,
): ReadableSpan | undefined {
  const p = QueryCompletedEventData.safeParse(completed.data);
  if (completed.type !== 'query.completed' || !p.success || !completed.queryId) return undefined;
  const d = p.data;
  const queryId = completed.queryId;
  const accepted = related.find((e) => e.type === 'query.accepted');
  const names = [...namesInEvents(related), ...(opts.names ?? [])];
  const cls = classifyOutcome(d.outcome, d.reason);
  const a: Attributes = attrs({
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': AGENT_NAME,
    'gen_ai.conversation.id': completed.conversationId,
    'steward.query.id': queryId,
    'steward.outcome': d.outcome,
    'steward.outcome_class': cls,
    'steward.end_reason': d.reason,
    'steward.turns': d.turns,
    'steward.tool_calls': d.toolCalls,
    'gen_ai.usage.input_tokens': d.inputTokens,
    'gen_ai.usage.output_tokens': d.outputTokens,
    'steward.cost_usd': d.costUsd,
    'steward.language': d.language,
    'steward.channel': typeof accepted?.data.channel === 'string' ? accepted.data.channel : undefined,
    'error.type': cls === 'failed' ? errorTypeOf(d.reason) : undefined,
  });
  if (opts.captureContent && d.answer) {
    a['gen_ai.output.messages'] = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: captured(d.answer, names) }] }]);
  }
  const events = related
    .filter((e) => e.queryId === queryId)
    .flatMap((e) => {
      const ev = rootSpanEvent(e, names);
      return ev ? [ev] : [];
    })
    .sort((x, y) => x.timeMs - y.timeMs);
  return toReadableSpan(
    {
      name: `invoke_agent ${AGENT_NAME}`,
      kind: SpanKind.INTERNAL,
      traceId: normaliseTraceId(completed.traceId, queryId),
      spanId: normaliseSpanId(d.rootSpanId, `${queryId}|root`),
      parentSpanId: d.parentSpanId,
      parentIsRemote: d.parentSpanId !== undefined,
      startMs: d.startMs,
      endMs: d.endMs,
      attributes: a,
      events,
      error: cls === 'failed' ? { message: d.reason } : undefined,
    },
    opts.resource,
  );
}

const strOf = (names: readonly string[]) => (v: unknown): string | undefined => (typeof v === 'string' ? redactPii(v, { names }) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** Controller decisions, audit denials and handoffs are moments of the query, not spans. */
function rootSpanEvent(e: StewardEvent, names: readonly string[]): { name: string; timeMs: number; attributes: Attributes } | undefined {
  const str = strOf(names);
  switch (e.type) {
    case 'control.decision':
      return {
        name: 'steward.control.decision',
        timeMs: e.ts,
        attributes: attrs({
          'steward.decision.kind': str(e.data.kind) ?? 'unknown',
          'steward.decision.detail': str(e.data.detail),
          'steward.turn': num(e.data.turn),
        }),
      };
    case 'audit.denied':
      return {
        name: 'steward.audit.denied',
        timeMs: e.ts,
        attributes: attrs({ 'gen_ai.tool.name': str(e.data.tool), 'steward.audit.reason': str(e.data.reason) }),
      };
    case 'handoff.created':
      return { name: 'steward.handoff.created', timeMs: e.ts, attributes: attrs({ 'steward.handoff.reason': str(e.data.reason) }) };
    default:
      return undefined;
  }
}

/** All spans a set of events describes: children as they are, the root once the query completed. */
export function eventsToSpans(events: readonly StewardEvent[], opts: SpanBuildOptions): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  // Names one query's tools learned are redacted in every span of that query.
  const namesOf = new Map<string | undefined, string[]>();
  for (const e of events) {
    if (!namesOf.has(e.queryId)) namesOf.set(e.queryId, [...namesInEvents(events.filter((x) => x.queryId === e.queryId)), ...(opts.names ?? [])]);
    if (e.type === 'query.completed') {
      const root = buildRootSpan(
        e,
        events.filter((x) => x.queryId === e.queryId),
        opts,
      );
      if (root) spans.push(root);
    } else {
      const child = buildChildSpan(e, { ...opts, names: namesOf.get(e.queryId) });
      if (child) spans.push(child);
    }
  }
  return spans;
}
