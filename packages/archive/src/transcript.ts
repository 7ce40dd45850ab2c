// A conversation as an operator reads it: every query with the customer's message, each step
// of the agent (thought, tool, arguments, result, error, latency, tokens) and the answer.
import type { Db } from './db.ts';

export interface TranscriptStep {
  id: string;
  kind: string;
  turn: number | null;
  index: number | null;
  name: string | null;
  thought: string | null;
  arguments: unknown;
  result: string | null;
  error: string | null;
  ok: boolean | null;
  latencyMs: number | null;
  tokens: { input: number; output: number } | null;
  costUsd: number | null;
  at: string;
}

export interface TranscriptQuery {
  queryId: string;
  customerId: string | null;
  language: string | null;
  message: string | null;
  answer: string | null;
  outcome: string | null;
  reason: string | null;
  turns: number | null;
  toolCalls: number | null;
  tokens: { input: number | null; output: number | null };
  costUsd: number | null;
  traceId: string | null;
  createdAt: string;
  completedAt: string | null;
  steps: TranscriptStep[];
  writes: { tool: string; arguments: unknown; idempotencyKey: string; result: string | null; ok: boolean | null; at: string }[];
}

export interface TranscriptHandoff {
  /** The query that handed off. */
  handoffId: string;
  reason: string | null;
  summary: string | null;
  state: string;
  claimedBy: string | null;
  createdAt: string;
  claimedAt: string | null;
  closedAt: string | null;
  /** What was said while a person owned the conversation (`from`: customer, operator, note, system). */
  messages: { from: string; operator: string | null; content: string; queryId: string | null; at: string }[];
}

export interface Transcript {
  conversationId: string;
  customerId: string | null;
  channel: string | null;
  language: string | null;
  startedAt: string;
  lastAt: string;
  orders: string[];
  messages: { role: string; content: string; queryId: string; at: string }[];
  queries: TranscriptQuery[];
  /** Closed handoffs to a person, oldest first. */
  handoffs: TranscriptHandoff[];
}

// Within a turn: the model's call, then its tool calls, then the controller's decisions.
const KIND_ORDER = `CASE kind WHEN 'llm' THEN 0 WHEN 'tool' THEN 1 WHEN 'denied' THEN 2 WHEN 'decision' THEN 3 ELSE 4 END`;
const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function readTranscript(db: Db, conversationId: string): Promise<Transcript | null> {
  const conv = await db.query('SELECT * FROM conversations WHERE id = $1', [conversationId]);
  const c = conv.rows[0] as Record<string, unknown> | undefined;
  if (!c) return null;
  const [queries, steps, writes, messages, orders, handoffs, handoffMessages] = await Promise.all([
    db.query('SELECT * FROM queries WHERE conversation_id = $1 ORDER BY created_at, id', [conversationId]),
    db.query(`SELECT * FROM steps WHERE conversation_id = $1 ORDER BY turn NULLS LAST, ${KIND_ORDER}, idx NULLS FIRST, at, id`, [conversationId]),
    db.query('SELECT * FROM writes WHERE conversation_id = $1 ORDER BY at, id', [conversationId]),
    db.query(`SELECT * FROM messages WHERE conversation_id = $1 ORDER BY at, CASE role WHEN 'user' THEN 0 ELSE 1 END, id`, [conversationId]),
    db.query<{ order_id: string }>('SELECT order_id FROM conversation_orders WHERE conversation_id = $1 ORDER BY order_id', [conversationId]),
    db.query('SELECT * FROM handoffs WHERE conversation_id = $1 ORDER BY created_at, id', [conversationId]),
    db.query('SELECT * FROM handoff_messages WHERE conversation_id = $1 ORDER BY handoff_id, seq', [conversationId]),
  ]);
  const iso = (v: unknown): string | null => (v ? (v as Date).toISOString() : null);
  const byQuery = (rows: Record<string, unknown>[], q: string) => rows.filter((r) => r.query_id === q);
  const msgRows = messages.rows as Record<string, unknown>[];
  return {
    conversationId,
    customerId: (c.customer_id as string | null) ?? null,
    channel: (c.channel as string | null) ?? null,
    language: (c.language as string | null) ?? null,
    startedAt: (c.started_at as Date).toISOString(),
    lastAt: (c.last_at as Date).toISOString(),
    orders: orders.rows.map((o) => o.order_id),
    messages: msgRows.map((m) => ({ role: m.role as string, content: m.content as string, queryId: m.query_id as string, at: (m.at as Date).toISOString() })),
    queries: (queries.rows as Record<string, unknown>[]).map((q) => {
      const id = q.id as string;
      return {
        queryId: id,
        customerId: (q.customer_id as string | null) ?? null,
        language: (q.language as string | null) ?? null,
        message: (q.text as string | null) ?? null,
        answer: (q.answer as string | null) ?? null,
        outcome: (q.outcome as string | null) ?? null,
        reason: (q.reason as string | null) ?? null,
        turns: n(q.turns),
        toolCalls: n(q.tool_calls),
        tokens: { input: n(q.input_tokens), output: n(q.output_tokens) },
        costUsd: n(q.cost_usd),
        traceId: (q.trace_id as string | null) ?? null,
        createdAt: (q.created_at as Date).toISOString(),
        completedAt: q.completed_at ? (q.completed_at as Date).toISOString() : null,
        steps: byQuery(steps.rows as Record<string, unknown>[], id).map((s) => ({
          id: s.id as string,
          kind: s.kind as string,
          turn: n(s.turn),
          index: n(s.idx),
          name: (s.name as string | null) ?? null,
          thought: (s.thought as string | null) ?? null,
          arguments: s.arguments ?? null,
          result: (s.result as string | null) ?? null,
          error: (s.error as string | null) ?? null,
          ok: (s.ok as boolean | null) ?? null,
          latencyMs: n(s.latency_ms),
          tokens: s.input_tokens === null && s.output_tokens === null ? null : { input: Number(s.input_tokens ?? 0), output: Number(s.output_tokens ?? 0) },
          costUsd: n(s.cost_usd),
          at: (s.at as Date).toISOString(),
        })),
        writes: byQuery(writes.rows as Record<string, unknown>[], id).map((w) => ({
          tool: w.tool as string,
          arguments: w.arguments ?? null,
          idempotencyKey: w.idempotency_key as string,
          result: (w.result as string | null) ?? null,
          ok: (w.ok as boolean | null) ?? null,
          at: (w.at as Date).toISOString(),
        })),
      };
    }),
    handoffs: (handoffs.rows as Record<string, unknown>[]).map((h) => ({
      handoffId: h.id as string,
      reason: (h.reason as string | null) ?? null,
      summary: (h.summary as string | null) ?? null,
      state: h.state as string,
      claimedBy: (h.claimed_by as string | null) ?? null,
      createdAt: (h.created_at as Date).toISOString(),
      claimedAt: iso(h.claimed_at),
      closedAt: iso(h.closed_at),
      messages: (handoffMessages.rows as Record<string, unknown>[])
        .filter((m) => m.handoff_id === h.id)
        .map((m) => ({
          from: m.sender as string,
          operator: (m.operator as string | null) ?? null,
          content: m.content as string,
          queryId: (m.query_id as string | null) ?? null,
          at: (m.at as Date).toISOString(),
        })),
    })),
  };
}
