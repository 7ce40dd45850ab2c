import type { Redis } from 'ioredis';
import { DEFAULTS, EVENT_DATA_SCHEMAS, StewardError, StewardEvent, formatIssues, type EventData, type EventType } from '@steward/core';
import type { Keys } from './keys.ts';
import { namesInEvents } from '@steward/telemetry';

/** One event to write; its data is typed by its type (EVENT_DATA_SCHEMAS) and checked again at run time. */
export type EmitInput = { [T in EventType]: EmitOf<T> }[EventType];

interface EmitOf<T extends EventType> {
  id: string;
  type: T;
  queryId?: string;
  conversationId?: string;
  traceId?: string;
  data: EventData<T>;
  ts?: number;
}

/** An event whose data does not match its type's schema: a bug in the writer, never retried. */
export class InvalidEventError extends StewardError {
  constructor(type: string, issues: string) {
    super('invalid_event', `invalid ${type} event data: ${issues}`, { kind: 'validation', retryable: false });
  }
}

/** The event as it is written; its data is checked against its type's schema here. */
export function toEvent(e: EmitInput): StewardEvent {
  const { ts, ...rest } = e;
  const checked = EVENT_DATA_SCHEMAS[e.type].safeParse(e.data);
  if (!checked.success) throw new InvalidEventError(e.type, formatIssues(checked.error));
  return StewardEvent.parse({ ...rest, ts: ts ?? Date.now() });
}

/**
 * Append an event to the fleet-wide stream (for the tracer) and, when it belongs to a query,
 * to that query's own list (debug trace, SSE replay) and its live channel (SSE push).
 */
export async function emitEvent(redis: Redis, keys: Keys, input: EmitInput): Promise<StewardEvent> {
  const event = toEvent(input);
  const json = JSON.stringify(event);
  const m = redis.multi();
  m.xadd(keys.events, 'MAXLEN', '~', String(DEFAULTS.eventsStreamMaxLen), '*', 'e', json);
  if (event.queryId) {
    m.rpush(keys.queryEvents(event.queryId), json);
    // NX: an event after the end (a delivery, a handoff) must not lengthen the ended query's short TTL.
    m.expire(keys.queryEvents(event.queryId), DEFAULTS.queryTtlSec, 'NX');
    m.publish(keys.queryChannel(event.queryId), json);
  }
  await m.exec();
  return event;
}

export async function readQueryEvents(redis: Redis, keys: Keys, queryId: string): Promise<StewardEvent[]> {
  const raw = await redis.lrange(keys.queryEvents(queryId), 0, -1);
  const seen = new Set<string>();
  const out: StewardEvent[] = [];
  for (const r of raw) {
    const e = StewardEvent.safeParse(JSON.parse(r));
    // A step redelivered after a crash may have emitted its event twice: keep the first.
    if (e.success && !seen.has(e.data.id)) {
      seen.add(e.data.id);
      out.push(e.data);
    }
  }
  return out;
}

/** How many of a conversation's latest queries are read for the names its tools learned. */
export const KNOWN_NAMES_QUERIES = 20;

/**
 * The customer names the tools of a conversation's latest queries learned (known-names.ts in
 * @steward/telemetry): a name said in a later query, with no cue word, is still redacted in that
 * query's debug trace and spans.
 */
export async function namesKnownInConversation(redis: Redis, keys: Keys, conversationId: string): Promise<string[]> {
  const ids = await redis.lrange(keys.conversationQueries(conversationId), -KNOWN_NAMES_QUERIES, -1);
  if (ids.length === 0) return [];
  // One round trip for all the lists; every worker job reads this when its logs are redacted.
  const p = redis.pipeline();
  for (const id of ids) p.lrange(keys.queryEvents(id), 0, -1);
  const events: StewardEvent[] = [];
  for (const [err, raw] of (await p.exec()) ?? []) {
    if (err || !Array.isArray(raw)) continue;
    for (const r of raw as unknown[]) {
      // Only tool calls carry names: the other events (most of them) are not parsed.
      if (typeof r !== 'string' || !r.includes('"tool.call"')) continue;
      const e = StewardEvent.safeParse(JSON.parse(r));
      if (e.success) events.push(e.data);
    }
  }
  return namesInEvents(events);
}
