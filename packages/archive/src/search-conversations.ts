// Operators find a conversation weeks later by customer, order, date or outcome.
import { z } from 'zod';
import { ARCHIVE_DEFAULTS } from './constants.ts';
import type { Db } from './db.ts';

export const ConversationFilter = z.object({
  customerId: z.string().min(1).max(128).optional(),
  orderId: z.string().min(1).max(64).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  outcome: z.enum(['answered', 'fallback', 'handoff']).optional(),
  limit: z.coerce.number().int().min(1).max(ARCHIVE_DEFAULTS.maxPageSize).default(ARCHIVE_DEFAULTS.pageSize),
  /** Opaque cursor from the previous page (`nextCursor`). */
  cursor: z.string().max(200).optional(),
});
export type ConversationFilter = z.infer<typeof ConversationFilter>;

export interface ConversationSummary {
  conversationId: string;
  customerId: string | null;
  channel: string | null;
  language: string | null;
  startedAt: string;
  lastAt: string;
  queries: number;
  outcomes: string[];
  orders: string[];
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  nextCursor: string | null;
}

// Keyset pagination on (last_at, id): stable while new conversations arrive.
const encodeCursor = (lastAt: Date, id: string): string => Buffer.from(JSON.stringify([lastAt.toISOString(), id])).toString('base64url');
function decodeCursor(c: string): [string, string] | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    return Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string' ? [v[0], v[1]] : undefined;
  } catch {
    return undefined;
  }
}

export async function searchConversations(db: Db, f: ConversationFilter): Promise<ConversationPage> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown): string => {
    args.push(v);
    return `$${args.length}`;
  };
  if (f.customerId) where.push(`c.customer_id = ${arg(f.customerId)}`);
  if (f.orderId) where.push(`EXISTS (SELECT 1 FROM conversation_orders o WHERE o.conversation_id = c.id AND o.order_id = ${arg(f.orderId)})`);
  if (f.from) where.push(`c.last_at >= ${arg(f.from)}`);
  if (f.to) where.push(`c.started_at < ${arg(f.to)}`);
  if (f.outcome) where.push(`EXISTS (SELECT 1 FROM queries q WHERE q.conversation_id = c.id AND q.outcome = ${arg(f.outcome)})`);
  const cur = f.cursor ? decodeCursor(f.cursor) : undefined;
  if (cur) where.push(`(c.last_at, c.id) < (${arg(cur[0])}::timestamptz, ${arg(cur[1])})`);
  const r = await db.query<{
    id: string;
    customer_id: string | null;
    channel: string | null;
    language: string | null;
    started_at: Date;
    last_at: Date;
    queries: string;
    outcomes: string[] | null;
    orders: string[] | null;
  }>(
    `SELECT c.*,
       (SELECT count(*) FROM queries q WHERE q.conversation_id = c.id) AS queries,
       (SELECT array_agg(DISTINCT q.outcome) FROM queries q WHERE q.conversation_id = c.id AND q.outcome IS NOT NULL) AS outcomes,
       (SELECT array_agg(o.order_id ORDER BY o.order_id) FROM conversation_orders o WHERE o.conversation_id = c.id) AS orders
     FROM conversations c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY c.last_at DESC, c.id DESC LIMIT ${arg(f.limit + 1)}`,
    args,
  );
  const rows = r.rows.slice(0, f.limit);
  const last = rows.at(-1);
  return {
    conversations: rows.map((c) => ({
      conversationId: c.id,
      customerId: c.customer_id,
      channel: c.channel,
      language: c.language,
      startedAt: c.started_at.toISOString(),
      lastAt: c.last_at.toISOString(),
      queries: Number(c.queries),
      outcomes: c.outcomes ?? [],
      orders: c.orders ?? [],
    })),
    nextCursor: r.rows.length > f.limit && last ? encodeCursor(last.last_at, last.id) : null,
  };
}
