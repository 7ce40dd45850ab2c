import { z } from 'zod';
import { customerMessageOf, type ConfirmationSnapshot, type PendingConfirmation } from '@steward/control';
import type { QueryRecord } from '@steward/store';
import type { StepDeps } from './deps.ts';

/** The conversation's pending confirmation as stored (JSON in the conversation hash). */
export const StoredPendingConfirmation = z.object({
  key: z.string(),
  tool: z.string(),
  args: z.record(z.string(), z.unknown()),
  queryId: z.string(),
  author: z.string().optional(),
});

/** How many customer messages back a question may be confirmed: older ones have expired. */
export const CONFIRMATION_LOOKBACK = 20;

/**
 * The snapshot's first two reads: the conversation hash's `pendingConfirmation` field and the
 * last CONFIRMATION_LOOKBACK ids of its queries list. A caller that runs a script anyway reads
 * them there (the reasoning-worker's script after the model call) and passes them in.
 */
export interface ConfirmationReads {
  stored: string | null;
  ids: string[];
}

/**
 * Everything decideConfirmation reads, loaded once per turn (only when a write is proposed). The
 * pending confirmation and the conversation's recent query ids are read together (one trip; the
 * ids are a few short strings, wasted only when nothing is pending), then the queries between.
 */
export async function loadConfirmationSnapshot(d: Pick<StepDeps, 'redis' | 'keys' | 'queries'>, q: QueryRecord, read?: Promise<ConfirmationReads>): Promise<ConfirmationSnapshot> {
  const { stored, ids } = read
    ? await read
    : await Promise.all([
        d.redis.hget(d.keys.conversation(q.conversationId), 'pendingConfirmation'),
        d.redis.lrange(d.keys.conversationQueries(q.conversationId), -CONFIRMATION_LOOKBACK, -1),
      ]).then(([stored, ids]) => ({ stored, ids }));
  const parsed = stored ? StoredPendingConfirmation.safeParse(safeJson(stored)) : null;
  // An unreadable pending confirmation (an older format) is no confirmation: the model asks again.
  if (!parsed?.success) return { pending: null, asked: null, since: [] };
  const pending: PendingConfirmation = parsed.data;
  const from = ids.indexOf(pending.queryId);
  const to = ids.indexOf(q.queryId);
  const [asking, ...between] = await Promise.all([pending.queryId, ...(from >= 0 && to > from ? ids.slice(from + 1, to) : [])].map((id) => d.queries.get(id)));
  const asked = asking?.completedMs !== undefined ? { answered: asking.outcome === 'answered', answer: asking.answer ?? '', completedMs: asking.completedMs } : null;
  const since = [...between.flatMap((m) => (m ? [customerMessageOf(m)] : [])), customerMessageOf(q)];
  // The question is older than the lookback window: treat it as expired.
  if (from < 0) return { pending, asked: null, since };
  return { pending, asked, since };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
