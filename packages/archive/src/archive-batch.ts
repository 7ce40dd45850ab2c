// What the archiver does with one batch of stream entries: parse (leniently), read the facts
// events do not carry from Redis, write every event in ONE transaction, then XACK. A crash
// before COMMIT leaves the batch pending (re-read by this consumer or XAUTOCLAIMed by another);
// a crash between COMMIT and XACK replays it, and the event-id primary keys make that a no-op.
import type { Redis } from 'ioredis';
import type { Keys } from '@steward/store';
import type { Logger } from '@steward/telemetry';
import { ArchivedEvent, parseArchivedEvent } from './archived-event.ts';
import { inTransaction, type Db } from './db.ts';
import { CLOSED_HANDOFF_STATES, readHandoffFacts, type HandoffFacts } from './handoff-facts.ts';
import { shortenHotTtl } from './hot-ttl.ts';
import { readQueryFacts, type QueryFacts } from './query-facts.ts';
import type { TextPolicy } from './text-policy.ts';
import { writeEvent } from './write-event.ts';

export interface BatchEntry {
  entryId: string;
  /** The event as parsed by the stream reader; absent when that reader refused it (e.g. a type it does not know). */
  event?: unknown;
}

export interface ArchiveBatchContext {
  db: Db;
  keys: Keys;
  group: string;
  policy: TextPolicy;
  isWrite: (tool: string) => boolean;
  hotTtlSec: number;
  log: Logger;
}

export interface ArchiveBatchResult {
  archived: number;
  duplicates: number;
  skipped: number;
  invalid: number;
}

export async function archiveBatch(entries: readonly BatchEntry[], redis: Redis, ctx: ArchiveBatchContext): Promise<ArchiveBatchResult> {
  let invalid = 0;
  const byId = new Map<string, ArchivedEvent>();
  for (const entry of entries) {
    const parsed = entry.event === undefined ? await rawEvent(redis, ctx.keys.events, entry.entryId) : ArchivedEvent.safeParse(entry.event).data;
    if (!parsed) {
      invalid++;
      ctx.log.warn({ entryId: entry.entryId }, 'unreadable stream entry acked without archiving');
    } else if (!byId.has(parsed.id)) byId.set(parsed.id, parsed);
  }
  // Event time, then id: an accepted event before the steps and the completion of its query.
  const events = [...byId.values()].sort((a, b) => a.ts - b.ts || rank(a.type) - rank(b.type));

  const facts = new Map<string, QueryFacts>();
  await Promise.all(
    events
      .filter((e) => e.queryId && (e.type === 'query.accepted' || e.type === 'query.completed'))
      .map(async (e) => facts.set(e.queryId!, await readQueryFacts(redis, ctx.keys, e.queryId!, e.conversationId))),
  );

  const handoffs = new Map<string, HandoffFacts>();
  await Promise.all(
    events
      .filter((e) => e.type === 'handoff.updated' && CLOSED_HANDOFF_STATES.has(String(e.data.state)))
      .map(async (e) => {
        const id = typeof e.data.handoffId === 'string' ? e.data.handoffId : e.queryId;
        const h = id ? await readHandoffFacts(redis, ctx.keys, id) : undefined;
        if (id && h) handoffs.set(id, h);
      }),
  );

  const counts = { archived: 0, duplicate: 0, erased: 0 };
  await inTransaction(ctx.db, async (c) => {
    const writeCtx = { policy: ctx.policy, isWrite: ctx.isWrite, facts: (q: string) => facts.get(q), handoff: (id: string) => handoffs.get(id) };
    for (const e of events) counts[await writeEvent(c, e, writeCtx)]++;
  });
  if (entries.length) await redis.xack(ctx.keys.events, ctx.group, ...entries.map((e) => e.entryId));

  if (ctx.hotTtlSec > 0) {
    const done = events.filter((e) => e.type === 'query.completed' && e.queryId).map((e) => e.queryId!);
    if (done.length) await shortenHotTtl(redis, ctx.keys, done, ctx.hotTtlSec);
  }
  return { archived: counts.archived, duplicates: counts.duplicate, skipped: counts.erased, invalid };
}

const ORDER: Record<string, number> = { 'query.accepted': 0, 'query.completed': 2 };
const rank = (type: string): number => ORDER[type] ?? 1;

/** Read one entry again, raw, when the typed reader refused it: the archive keeps unknown types. */
async function rawEvent(redis: Redis, stream: string, entryId: string): Promise<ArchivedEvent | undefined> {
  const rows = (await redis.xrange(stream, entryId, entryId)) as [string, string[]][];
  const fields = rows[0]?.[1] ?? [];
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'e') return parseArchivedEvent(fields[i + 1]);
  return undefined;
}
