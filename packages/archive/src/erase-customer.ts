// The right to erasure (GDPR art. 17, PIPL art. 47): remove one customer's conversations from
// the archive and from Redis. What remains is an audit row saying that an erasure happened,
// when, by whom and how much it removed — nothing about the customer — and the erased
// conversation ids (random business ids) so a late event is not archived again.
import type { Redis } from 'ioredis';
import type { Keys } from '@steward/store';
import { inTransaction, type Db } from './db.ts';
import { customerIdsInRedis, eraseFromRedis } from './erase-redis.ts';

export interface ErasureReport {
  erasureId: string;
  conversations: number;
  rowsRemoved: number;
  redisKeysDeleted: number;
  redisMembersRemoved: number;
}

export async function eraseCustomer(
  o: { db?: Db | undefined; redis: Redis; keys: Keys; requestedBy?: string },
  customerId: string,
): Promise<ErasureReport> {
  const fromRedis = await customerIdsInRedis(o.redis, o.keys, customerId);
  const conversations = new Set(fromRedis.conversations);
  const queries = new Set(fromRedis.queries);
  if (o.db) {
    const r = await o.db.query<{ id: string; qid: string | null }>(
      `SELECT c.id, q.id AS qid FROM conversations c LEFT JOIN queries q ON q.conversation_id = c.id
       WHERE c.customer_id = $1 OR c.id IN (SELECT conversation_id FROM queries WHERE customer_id = $1)`,
      [customerId],
    );
    for (const row of r.rows) {
      conversations.add(row.id);
      if (row.qid) queries.add(row.qid);
    }
  }
  // Redis first: once its records are gone the archiver cannot read them back in, and the
  // erased_conversations rows below stop any event still in flight.
  const needles = [customerId, ...conversations, ...queries];
  const redisOut = await eraseFromRedis(o.redis, o.keys, needles);
  let rowsRemoved = 0;
  let erasureId = '';
  if (o.db) {
    const db = o.db;
    ({ rowsRemoved, erasureId } = await inTransaction(db, async (c) => {
      const convs = [...conversations];
      await c.query('INSERT INTO erased_conversations (conversation_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [convs]);
      const counted = await c.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM conversations WHERE id = ANY($1)) + (SELECT count(*) FROM queries WHERE conversation_id = ANY($1))
              + (SELECT count(*) FROM messages WHERE conversation_id = ANY($1)) + (SELECT count(*) FROM steps WHERE conversation_id = ANY($1))
              + (SELECT count(*) FROM writes WHERE conversation_id = ANY($1)) + (SELECT count(*) FROM events WHERE conversation_id = ANY($1) OR query_id = ANY($2))
              + (SELECT count(*) FROM handoffs WHERE conversation_id = ANY($1)) + (SELECT count(*) FROM handoff_messages WHERE conversation_id = ANY($1)) AS n`,
        [convs, [...queries]],
      );
      await c.query('DELETE FROM events WHERE query_id = ANY($1)', [[...queries]]);
      await c.query('DELETE FROM conversations WHERE id = ANY($1)', [convs]);
      const rows = Number(counted.rows[0]?.n ?? 0);
      const audit = await c.query<{ id: string }>(
        'INSERT INTO erasures (requested_by, rows_removed, redis_removed) VALUES ($1, $2, $3) RETURNING id',
        [o.requestedBy ?? null, rows, redisOut.keysDeleted + redisOut.membersRemoved],
      );
      return { rowsRemoved: rows, erasureId: String(audit.rows[0]!.id) };
    }));
  }
  return {
    erasureId,
    conversations: conversations.size,
    rowsRemoved,
    redisKeysDeleted: redisOut.keysDeleted,
    redisMembersRemoved: redisOut.membersRemoved,
  };
}
