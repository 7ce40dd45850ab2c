// The raw events of a query from the archive: the debug trace's source once Redis let them go.
import type { Db } from './db.ts';
import type { ArchivedEvent } from './archived-event.ts';

export async function readArchivedEvents(db: Db, queryId: string): Promise<ArchivedEvent[]> {
  const r = await db.query<{ id: string; type: string; at: Date; conversation_id: string | null; query_id: string; data: Record<string, unknown> }>(
    'SELECT id, type, at, conversation_id, query_id, data FROM events WHERE query_id = $1 ORDER BY at, id',
    [queryId],
  );
  const traceIds = await db.query<{ trace_id: string | null }>('SELECT trace_id FROM queries WHERE id = $1', [queryId]);
  const traceId = traceIds.rows[0]?.trace_id ?? undefined;
  return r.rows.map((e) => ({
    id: e.id,
    type: e.type,
    ts: e.at.getTime(),
    queryId: e.query_id,
    ...(e.conversation_id ? { conversationId: e.conversation_id } : {}),
    ...(traceId ? { traceId } : {}),
    data: e.data,
  }));
}
