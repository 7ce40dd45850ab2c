// One batch of stream entries → metrics, spans, export, ack. At-least-once delivery from the
// stream becomes effectively-once at the collector: an event is exported only if its `seen` key
// is absent, the key is set only after the collector accepted the spans, and nothing is acked
// before that — a failed export leaves the entries pending for a retry.
import type { Redis } from 'ioredis';
import type { StewardEvent } from '@steward/core';
import { readQueryEvents, type Keys } from '@steward/store';
import {
  buildChildSpan,
  buildRootSpan,
  exportSpans,
  recordEventMetrics,
  type Logger,
  type ReadableSpan,
  type SpanBuildOptions,
  type SpanExporter,
} from '@steward/telemetry';
import type { StreamEntry } from './stream-entries.ts';

export const TRACER_GROUP = 'tracer';
/**
 * The seen key only has to outlive the gap between export and XACK (a crash there makes the
 * entry come back after `claimIdleMs`), so an hour is ample and keeps Redis small.
 */
export const SEEN_TTL_SEC = 3600;

export const seenKey = (prefix: string, eventId: string): string => `${prefix}:tracer:seen:${eventId}`;

export interface BatchContext {
  redis: Redis;
  keys: Keys;
  group: string;
  exporter: SpanExporter;
  spanOptions: SpanBuildOptions;
  log: Logger;
}

export interface BatchResult {
  acked: number;
  exportedSpans: number;
  skippedSeen: number;
  invalid: number;
}

export async function processBatch(entries: readonly StreamEntry[], ctx: BatchContext): Promise<BatchResult> {
  const { redis, keys } = ctx;
  const invalid = entries.filter((e) => !e.event);
  for (const e of invalid) ctx.log.warn({ entryId: e.entryId, reason: e.invalid }, 'unreadable event acked without processing');

  // The same event can sit in two entries (a step redelivered after a crash emitted it twice).
  const byEvent = new Map<string, StewardEvent>();
  for (const e of entries) if (e.event && !byEvent.has(e.event.id)) byEvent.set(e.event.id, e.event);
  const events = [...byEvent.values()];

  const seen = events.length ? await redis.mget(...events.map((e) => seenKey(keys.prefix, e.id))) : [];
  const fresh = events.filter((_, i) => seen[i] === null);

  // Metrics first and guarded per event: they keep flowing while the collector is down.
  await Promise.all(fresh.map((e) => recordEventMetrics(redis, keys.prefix, e)));

  const spans: ReadableSpan[] = [];
  for (const e of fresh) {
    const span = e.type === 'query.completed' ? await rootSpan(e, ctx) : buildChildSpan(e, ctx.spanOptions);
    if (span) spans.push(span);
  }
  await exportSpans(ctx.exporter, spans);

  const m = redis.multi();
  for (const e of fresh) m.set(seenKey(keys.prefix, e.id), '1', 'EX', SEEN_TTL_SEC);
  if (entries.length) m.xack(keys.events, ctx.group, ...entries.map((e) => e.entryId));
  await m.exec();
  return { acked: entries.length, exportedSpans: spans.length, skippedSeen: events.length - fresh.length, invalid: invalid.length };
}

async function rootSpan(completed: StewardEvent, ctx: BatchContext): Promise<ReadableSpan | undefined> {
  // Decisions and the accepted event become the root span's events and attributes.
  const related = completed.queryId ? await readQueryEvents(ctx.redis, ctx.keys, completed.queryId) : [];
  return buildRootSpan(completed, related, ctx.spanOptions);
}
