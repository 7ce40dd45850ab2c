import type { Redis } from 'ioredis';
import { DEFAULTS, EVENT_DATA_SCHEMAS, StewardError, StewardEvent, formatIssues, type EventData, type EventType } from '@steward/core';
import type { Keys } from './keys.ts';
import { namesInEvents } from '@steward/telemetry';
import { hashOfReply } from './hash-reply.ts';

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

/**
 * The event as it is written; its data is checked against its type's schema here. The envelope is
 * built field by field rather than parsed again with StewardEvent: its fields are typed by
 * EmitInput already, and a second zod pass over every event was a visible share of each
 * worker's CPU (issue 17). The two checks the types cannot make (a non-empty id, a finite time)
 * are made here, and keys outside the envelope are left out as the schema would.
 */
export function toEvent(e: EmitInput): StewardEvent {
  const checked = EVENT_DATA_SCHEMAS[e.type].safeParse(e.data);
  if (!checked.success) throw new InvalidEventError(e.type, formatIssues(checked.error));
  const ts = e.ts ?? Date.now();
  if (!e.id) throw new InvalidEventError(e.type, 'id: empty');
  if (!Number.isFinite(ts)) throw new InvalidEventError(e.type, `ts: not a finite number (${ts})`);
  // The schema's key order, so the written JSON is the same as before.
  const event = { id: e.id, type: e.type, ts } as StewardEvent;
  if (e.queryId !== undefined) event.queryId = e.queryId;
  if (e.conversationId !== undefined) event.conversationId = e.conversationId;
  if (e.traceId !== undefined) event.traceId = e.traceId;
  event.data = e.data;
  return event;
}

// KEYS: 1 the stream, 2 the query's list ('' = no query), 3 the conversation's names set ('' = none),
// 4 (optional) a hash to read once the event is written (emitEventThenRead).
// ARGV: 1 event JSON, 2 stream max length, 3 query TTL, 4 the query's live channel, 5 names TTL, 6… names.
// One script instead of MULTI … EXEC: the event's JSON crosses the socket once, not once per copy.
const EMIT = `
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[1])
if KEYS[2] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  redis.call('EXPIRE', KEYS[2], ARGV[3], 'NX')
  redis.call('PUBLISH', ARGV[4], ARGV[1])
end
if KEYS[3] ~= '' and #ARGV > 5 then
  redis.call('SADD', KEYS[3], unpack(ARGV, 6))
  redis.call('EXPIRE', KEYS[3], ARGV[5])
end
if KEYS[4] then return redis.call('HGETALL', KEYS[4]) end
return 1
`;

/**
 * Append an event to the fleet-wide stream (for the tracer) and, when it belongs to a query,
 * to that query's own list (debug trace, SSE replay) and its live channel (SSE push), in one
 * atomic script.
 */
export async function emitEvent(redis: Redis, keys: Keys, input: EmitInput): Promise<StewardEvent> {
  const event = toEvent(input);
  const a = emitArgs(keys, event);
  await redis.eval(EMIT, 3, ...a.keys, ...a.argv);
  return event;
}

/**
 * emitEvent, then the hash at `hashKey` as it is once the event is written, in the same script:
 * the reasoning-worker's fresh read of its query after the model call (one command fewer per
 * turn than an HGETALL beside the event, and never older than the event). {} = no such hash.
 */
export async function emitEventThenRead(redis: Redis, keys: Keys, input: EmitInput, hashKey: string): Promise<Record<string, string>> {
  const a = emitArgs(keys, toEvent(input));
  return hashOfReply((await redis.eval(EMIT, 4, ...a.keys, hashKey, ...a.argv)) as string[]);
}

/**
 * The event script (a Lua chunk that reads only KEYS and ARGV) and its arguments for an event,
 * checked as emitEvent checks it: for a caller that writes the event inside a script it sends
 * anyway (the reasoning-worker's llm.call with the call's cost, llm-call-script.ts there).
 * With three keys the chunk returns 1.
 */
export const EMIT_LUA = EMIT;
export function emitScriptArgs(keys: Keys, input: EmitInput): { keys: [string, string, string]; argv: Array<string | number> } {
  return emitArgs(keys, toEvent(input));
}

/** EMIT's three keys and its arguments for an event. */
function emitArgs(keys: Keys, event: StewardEvent): { keys: [string, string, string]; argv: Array<string | number> } {
  // A tool call that revealed the customer's name (get_user_details, find_user_id_by_name_zip)
  // adds it to the conversation's set here, once, so every later reader (each worker job's log
  // context, the debug trace, the tracer) takes one SMEMBERS instead of re-reading and parsing the
  // event lists of the conversation's queries.
  const names = event.type === 'tool.call' && event.conversationId ? namesInEvents([event]) : [];
  return {
    keys: [
      keys.events,
      // NX on its EXPIRE: an event after the end (a delivery, a handoff) must not lengthen the ended query's short TTL.
      event.queryId ? keys.queryEvents(event.queryId) : '',
      names.length && event.conversationId ? keys.conversationNames(event.conversationId) : '',
    ],
    argv: [
      JSON.stringify(event),
      DEFAULTS.eventsStreamMaxLen,
      DEFAULTS.queryTtlSec,
      event.queryId ? keys.queryChannel(event.queryId) : '',
      DEFAULTS.conversationTtlSec,
      ...names,
    ],
  };
}

export async function readQueryEvents(redis: Redis, keys: Keys, queryId: string): Promise<StewardEvent[]> {
  return parseQueryEvents(await redis.lrange(keys.queryEvents(queryId), 0, -1));
}

/**
 * The events of several queries in one pipeline (one write and one round trip for all), as
 * readQueryEvents reads each. A failed read rejects, as readQueryEvents does.
 */
export async function readQueriesEvents(redis: Redis, keys: Keys, queryIds: readonly string[]): Promise<Map<string, StewardEvent[]>> {
  const ids = [...new Set(queryIds)];
  const out = new Map<string, StewardEvent[]>();
  if (ids.length === 0) return out;
  const p = redis.pipeline();
  for (const id of ids) p.lrange(keys.queryEvents(id), 0, -1);
  const replies = (await p.exec()) ?? [];
  for (const [i, id] of ids.entries()) {
    const [err, raw] = replies[i] ?? [new Error('no reply to LRANGE in the pipeline (retryable)'), null];
    if (err) throw err;
    out.set(id, parseQueryEvents(raw as string[]));
  }
  return out;
}

function parseQueryEvents(raw: readonly string[]): StewardEvent[] {
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

/**
 * The customer names the conversation's tools learned (known-names.ts in @steward/telemetry),
 * recorded by emitEvent: a name said in a later query, with no cue word, is still redacted in that
 * query's logs, debug trace and spans.
 */
export async function namesKnownInConversation(redis: Redis, keys: Keys, conversationId: string): Promise<string[]> {
  return redis.smembers(keys.conversationNames(conversationId));
}
