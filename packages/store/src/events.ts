import type { Redis } from 'ioredis';
import { DEFAULTS, EVENT_DATA_SCHEMAS, StewardError, StewardEvent, formatIssues, type EventType } from '@steward/core';
import type { Keys } from './keys.ts';

export interface EmitInput {
  id: string;
  type: EventType;
  queryId?: string;
  conversationId?: string;
  traceId?: string;
  data: Record<string, unknown>;
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
  const schema = EVENT_DATA_SCHEMAS[e.type];
  const checked = schema?.safeParse(e.data);
  if (checked && !checked.success) throw new InvalidEventError(e.type, formatIssues(checked.error));
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
