// Replies of XREADGROUP / XAUTOCLAIM → stream entries carrying a parsed StewardEvent. An entry
// that cannot be parsed is kept (with the reason) so the tracer can ack it instead of retrying
// a poison message forever.
import { StewardEvent, formatIssues } from '@steward/core';

export interface StreamEntry {
  /** Stream entry id (`1700000000000-0`). */
  entryId: string;
  event?: StewardEvent;
  invalid?: string;
}

function toStr(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return undefined;
}

/** One `[id, [field, value, …]]` pair; fields null means the entry was trimmed away. */
export function parseEntry(raw: unknown): StreamEntry | undefined {
  if (!Array.isArray(raw)) return undefined;
  const entryId = toStr(raw[0]);
  if (!entryId) return undefined;
  const fields: unknown = raw[1];
  if (!Array.isArray(fields)) return { entryId, invalid: 'entry has no fields (trimmed)' };
  let json: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) if (toStr(fields[i]) === 'e') json = toStr(fields[i + 1]);
  if (json === undefined) return { entryId, invalid: 'no field "e"' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { entryId, invalid: 'field "e" is not JSON' };
  }
  const r = StewardEvent.safeParse(parsed);
  return r.success ? { entryId, event: r.data } : { entryId, invalid: formatIssues(r.error) };
}

/**
 * XREADGROUP reply, null on timeout. RESP2 gives `[[stream, entries], …]`; RESP3 (ioredis v6's
 * default) gives a map, which arrives flattened as `[stream, entries, …]`.
 */
export function parseReadReply(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const lists: unknown[] = [];
  if (reply.length > 0 && toStr(reply[0]) !== undefined) {
    for (let i = 1; i < reply.length; i += 2) lists.push(reply[i]);
  } else {
    for (const stream of reply) if (Array.isArray(stream)) lists.push(stream[1]);
  }
  const out: StreamEntry[] = [];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const e = parseEntry(raw);
      if (e) out.push(e);
    }
  }
  return out;
}

/** XAUTOCLAIM reply: `[nextCursor, [[id, fields], …], [deletedIds…]]`. */
export function parseAutoclaimReply(reply: unknown): { cursor: string; entries: StreamEntry[] } {
  if (!Array.isArray(reply)) return { cursor: '0-0', entries: [] };
  const cursor = toStr(reply[0]) ?? '0-0';
  const list: unknown = reply[1];
  const entries: StreamEntry[] = [];
  if (Array.isArray(list)) {
    for (const raw of list) {
      const e = parseEntry(raw);
      if (e) entries.push(e);
    }
  }
  return { cursor, entries };
}
