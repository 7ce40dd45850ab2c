import type { Redis } from 'ioredis';
import { parseMemory } from '@steward/context';
import type { HandoffRecord, Keys } from '@steward/store';

/** Trace links of at most this many of the conversation's latest queries. */
const MAX_TRACES = 50;

/**
 * What an operator needs to take a conversation over without asking the customer again: why and
 * in which language it was handed off, the rolling summary and transcript, the working memory the
 * agent built (the verified customer, the orders it read, the writes waiting for the customer's
 * yes, the writes done), and a trace link for each query of the conversation.
 */
export async function handoffContext(redis: Redis, keys: Keys, h: HandoffRecord) {
  const [transcript, conv, queryIds] = await Promise.all([
    redis.lrange(keys.conversationMessages(h.conversationId), 0, -1),
    redis.hgetall(keys.conversation(h.conversationId)),
    redis.lrange(keys.conversationQueries(h.conversationId), -MAX_TRACES, -1),
  ]);
  const queries = queryIds.length ? await Promise.all(queryIds.map((q) => redis.hmget(keys.query(q), 'text', 'outcome', 'createdMs'))) : [];
  // Stored by the agent's pipeline (packages/context owns its schema): one that no longer
  // parses reads as empty rather than failing the whole view.
  const memory = parseMemory(conv.memory);
  return {
    reason: h.reason,
    language: h.language,
    /** The conversation's rolling summary; the handoff's own summary is on the record. */
    summary: conv.summary ?? '',
    owner: conv.answeredBy === 'person' ? ('person' as const) : ('agent' as const),
    /** The customer the conversation is bound to (named by an integration or verified in it), if any. */
    customerId: conv.customerId || h.customerId || null,
    transcript: transcript.map((m) => JSON.parse(m) as unknown),
    memory: {
      customer: memory.customer
        ? { userId: memory.customer.user_id, name: memory.customer.name, email: memory.customer.email, address: memory.customer.address }
        : null,
      orders: memory.orders.map((o) => ({
        orderId: o.order_id,
        status: o.status,
        items: (o.items ?? []).map((i) => ({ itemId: i.item_id, name: i.name })),
        shipments: o.shipments ?? [],
      })),
      /** Writes the agent proposed and the customer has not confirmed yet: exactly what would run. */
      pending: memory.pending.map((p) => ({ tool: p.tool, args: p.args })),
      done: memory.done.map((f) => f.text),
    },
    trace: `/v1/traces/${h.queryId}`,
    traceId: h.traceId,
    traces: queryIds.map((queryId, i) => {
      const [text, outcome, createdMs] = queries[i] ?? [];
      return { queryId, text: (text ?? '').slice(0, 200), outcome: outcome ?? null, createdMs: createdMs ? Number(createdMs) : null, trace: `/v1/traces/${queryId}` };
    }),
  };
}

export type HandoffContext = Awaited<ReturnType<typeof handoffContext>>;
