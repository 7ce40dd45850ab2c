// Spans are rebuilt from events after the fact, so they are plain ReadableSpan objects with the
// ids and times the events carry; a live tracer would stamp its own ids and the current time.
import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type HrTime, type SpanContext } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { createHash } from 'node:crypto';

export { SpanKind, SpanStatusCode };

export const INSTRUMENTATION_SCOPE = { name: '@steward/telemetry', version: '0.1.0' } as const;

export interface SpanDraft {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId?: string | undefined;
  /** The parent lives in another process (the platform's span from a W3C traceparent). */
  parentIsRemote?: boolean;
  startMs: number;
  endMs: number;
  attributes: Attributes;
  events?: Array<{ name: string; timeMs: number; attributes?: Attributes }>;
  error?: { message?: string | undefined } | undefined;
}

export function msToHrTime(ms: number): HrTime {
  const whole = Math.floor(ms);
  const nanosFromFraction = Math.round((ms - whole) * 1e6);
  return [Math.floor(whole / 1000), (whole % 1000) * 1e6 + nanosFromFraction];
}

const SPAN_ID = /^[0-9a-f]{16}$/;
const TRACE_ID = /^[0-9a-f]{32}$/;

/** An emitter's id if it is a valid non-zero OTel id, else one derived from `fallbackSeed`. */
export function normaliseSpanId(id: string | undefined, fallbackSeed: string): string {
  const v = id?.toLowerCase();
  if (v && SPAN_ID.test(v) && !/^0+$/.test(v)) return v;
  return createHash('sha256').update(`span|${fallbackSeed}`).digest('hex').slice(0, 16);
}

/** The event's trace id, or one derived from the query id so all spans of a query still meet. */
export function normaliseTraceId(id: string | undefined, queryId: string): string {
  const v = id?.toLowerCase();
  if (v && TRACE_ID.test(v) && !/^0+$/.test(v)) return v;
  return createHash('sha256').update(`trace|${queryId}`).digest('hex').slice(0, 32);
}

export function toReadableSpan(d: SpanDraft, resource: Resource): ReadableSpan {
  const endMs = Math.max(d.endMs, d.startMs);
  const ctx: SpanContext = { traceId: d.traceId, spanId: d.spanId, traceFlags: TraceFlags.SAMPLED };
  const parent: SpanContext | undefined = d.parentSpanId
    ? { traceId: d.traceId, spanId: d.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: d.parentIsRemote ?? false }
    : undefined;
  const events: TimedEvent[] = (d.events ?? []).map((e) => ({
    name: e.name,
    time: msToHrTime(e.timeMs),
    attributes: e.attributes ?? {},
  }));
  return {
    name: d.name,
    kind: d.kind,
    spanContext: () => ctx,
    ...(parent ? { parentSpanContext: parent } : {}),
    startTime: msToHrTime(d.startMs),
    endTime: msToHrTime(endMs),
    duration: msToHrTime(endMs - d.startMs),
    status: d.error
      ? { code: SpanStatusCode.ERROR, ...(d.error.message ? { message: d.error.message } : {}) }
      : { code: SpanStatusCode.UNSET },
    attributes: d.attributes,
    links: [],
    events,
    ended: true,
    resource,
    instrumentationScope: INSTRUMENTATION_SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** Drop undefined values: OTel attributes may not hold them. */
export function attrs(o: Record<string, string | number | boolean | string[] | undefined>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}
