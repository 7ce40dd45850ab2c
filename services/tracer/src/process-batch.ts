// What the tracer does with one batch of stream entries. Two consumer groups read the same
// stream: `tracer` exports spans, `tracer-metrics` records metrics — so metrics keep flowing
// while the collector is down, and a slow collector never delays /metrics.
//
// Spans: at-least-once delivery from the stream becomes effectively-once at the collector. An
// event is exported only if its `seen` key is absent; the key is set with the XACK, after the
// collector accepted the spans; a failed export leaves the batch pending for a retry.
import type { Redis } from 'ioredis';
import { isStewardError, keysFor, type StewardEvent } from '@steward/core';
import { namesKnownInConversation, readQueriesEvents, type Keys } from '@steward/store';
import {
  buildChildSpan,
  buildRootSpan,
  recordEventsMetrics,
  type Logger,
  type ReadableSpan,
  type SpanBuildOptions,
} from '@steward/telemetry';
import { exportSpans, type SpanExporter } from '@steward/telemetry/otlp';
import type { StreamEntry } from './stream-entries.ts';

export const TRACER_GROUP = 'tracer';
export const METRICS_GROUP = 'tracer-metrics';
/**
 * The seen key only has to outlive the gap between export and XACK (a crash there makes the
 * entry come back after `claimIdleMs`), so an hour is ample and keeps Redis small.
 */
export const SEEN_TTL_SEC = 3600;

/** Built in @steward/core's redis-keys.ts (namespace `tracer`). */
export const seenKey = (prefix: string, eventId: string): string => keysFor(prefix).tracerSeen(eventId);

export interface SpanBatchContext {
  keys: Keys;
  exporter: SpanExporter;
  spanOptions: SpanBuildOptions;
  log: Logger;
}

export interface SpanBatchResult {
  acked: number;
  exportedSpans: number;
  droppedSpans: number;
  skippedSeen: number;
  invalid: number;
}

/** Distinct parsed events of a batch; unreadable entries are logged (id and reason only). */
function eventsOf(entries: readonly StreamEntry[], log: Logger): { events: StewardEvent[]; invalid: number } {
  let invalid = 0;
  const byId = new Map<string, StewardEvent>();
  for (const e of entries) {
    if (!e.event) {
      invalid++;
      log.warn({ entryId: e.entryId, reason: e.invalid }, 'unreadable event acked without processing');
    } else if (!byId.has(e.event.id)) {
      // The same event can sit in two entries (a step redelivered after a crash emitted it twice).
      byId.set(e.event.id, e.event);
    }
  }
  return { events: [...byId.values()], invalid };
}

export async function exportSpanBatch(entries: readonly StreamEntry[], redis: Redis, ctx: SpanBatchContext): Promise<SpanBatchResult> {
  const { keys } = ctx;
  const { events, invalid } = eventsOf(entries, ctx.log);
  const seen = events.length ? await redis.mget(...events.map((e) => seenKey(keys.prefix, e.id))) : [];
  const fresh = events.filter((_, i) => seen[i] === null);

  const spans: ReadableSpan[] = [];
  // Captured content is redacted of the names the conversation's tools learned (known-names.ts):
  // they come from the event lists of its latest queries, read once per conversation of the batch.
  const names = new Map<string, Promise<string[]>>();
  const namesOf = (conversationId: string | undefined): Promise<string[]> | undefined => {
    if (!ctx.spanOptions.captureContent || !conversationId) return undefined;
    let p = names.get(conversationId);
    if (!p) names.set(conversationId, (p = namesKnownInConversation(redis, keys, conversationId)));
    return p;
  };
  // Decisions and the accepted event become the root span's events and attributes: the event
  // lists of the batch's completed queries are read in one pipeline, not one trip each.
  const completed = fresh.filter((e) => e.type === 'query.completed' && e.queryId);
  const related = await readQueriesEvents(redis, keys, completed.map((e) => e.queryId!));
  for (const e of fresh) {
    const spanOptions = { ...ctx.spanOptions, names: await namesOf(e.conversationId) };
    const span =
      e.type === 'query.completed'
        ? buildRootSpan(e, (e.queryId && related.get(e.queryId)) || [], spanOptions)
        : buildChildSpan(e, spanOptions);
    if (span) spans.push(span);
  }
  const dropped = await exportOrIsolate(spans, ctx);

  const m = redis.multi();
  for (const e of fresh) m.set(seenKey(keys.prefix, e.id), '1', 'EX', SEEN_TTL_SEC);
  if (entries.length) m.xack(keys.events, TRACER_GROUP, ...entries.map((e) => e.entryId));
  await m.exec();
  return {
    acked: entries.length,
    exportedSpans: spans.length - dropped,
    droppedSpans: dropped,
    skippedSeen: events.length - fresh.length,
    invalid,
  };
}

/**
 * Export the batch; if the collector rejects the data itself, send the spans one by one so a
 * single bad span cannot block the stream, and drop (log) only those refused. Retryable
 * failures propagate. Returns how many spans were dropped.
 */
async function exportOrIsolate(spans: ReadableSpan[], ctx: SpanBatchContext): Promise<number> {
  try {
    await exportSpans(ctx.exporter, spans);
    return 0;
  } catch (e) {
    if (!isStewardError(e) || e.retryable) throw e;
  }
  let dropped = 0;
  for (const span of spans) {
    try {
      await exportSpans(ctx.exporter, [span]);
    } catch (e) {
      if (!isStewardError(e) || e.retryable) throw e;
      dropped++;
      ctx.log.error(
        { span: span.name, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, err: e.message },
        'collector rejected span; dropped',
      );
    }
  }
  return dropped;
}

/** Metrics of a batch in one script call, once per event (guard keys in recordEventsMetrics), then XACK. */
export async function recordMetricsBatch(entries: readonly StreamEntry[], redis: Redis, keys: Keys, log: Logger): Promise<number> {
  const { events } = eventsOf(entries, log);
  const counted = await recordEventsMetrics(redis, keys.prefix, events);
  if (entries.length) await redis.xack(keys.events, METRICS_GROUP, ...entries.map((e) => e.entryId));
  return counted.filter(Boolean).length;
}
