// One event → its rows. Idempotent by event id: the raw `events` row is inserted first and a
// conflict there means the event was archived before (a redelivery), so nothing else is written.
import type { PoolClient } from 'pg';
import { idempotencyKey } from '@steward/core';
import type { ArchivedEvent } from './archived-event.ts';
import { CLOSED_HANDOFF_STATES, type HandoffFacts } from './handoff-facts.ts';
import type { QueryFacts } from './query-facts.ts';
import { orderIdsIn, type TextPolicy } from './text-policy.ts';

export interface WriteContext {
  policy: TextPolicy;
  /** Whether a tool changes the customer's data (its calls go to the audit trail of writes). */
  isWrite: (tool: string) => boolean;
  facts: (queryId: string) => QueryFacts | undefined;
  /** A closed handoff's record and messages, read from Redis for its closing event. */
  handoff?: (handoffId: string) => HandoffFacts | undefined;
}

export type WriteResult = 'archived' | 'duplicate' | 'erased';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const at = (ms: number): Date => new Date(ms);

export async function writeEvent(c: PoolClient, e: ArchivedEvent, ctx: WriteContext): Promise<WriteResult> {
  const convId = e.conversationId ?? (e.queryId ? await conversationOf(c, e.queryId) : undefined);
  if (convId) {
    const erased = await c.query('SELECT 1 FROM erased_conversations WHERE conversation_id = $1', [convId]);
    if (erased.rowCount) return 'erased';
    const facts = e.queryId ? ctx.facts(e.queryId) : undefined;
    await c.query(
      `INSERT INTO conversations (id, customer_id, channel, language, started_at, last_at) VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (id) DO UPDATE SET
         customer_id = coalesce(conversations.customer_id, EXCLUDED.customer_id),
         channel = coalesce(conversations.channel, EXCLUDED.channel),
         language = coalesce(EXCLUDED.language, conversations.language),
         started_at = least(conversations.started_at, EXCLUDED.started_at),
         last_at = greatest(conversations.last_at, EXCLUDED.last_at)`,
      [convId, facts?.customerId ?? null, facts?.channel ?? null, facts?.language ?? null, at(e.ts)],
    );
  }
  const inserted = await c.query(
    'INSERT INTO events (id, type, conversation_id, query_id, at, data) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING',
    [e.id, e.type, convId ?? null, e.queryId ?? null, at(e.ts), JSON.stringify(ctx.policy.json(e.data))],
  );
  if (!inserted.rowCount) return 'duplicate';
  if (!convId || !e.queryId) return 'archived';
  const w = { c, e, ctx, convId, queryId: e.queryId };
  switch (e.type) {
    case 'query.accepted':
      await accepted(w);
      break;
    case 'query.completed':
      await completed(w);
      break;
    case 'llm.call':
      await llmStep(w);
      break;
    case 'tool.call':
      await toolStep(w);
      break;
    case 'control.decision':
      await step(w, { kind: 'decision', turn: num(e.data.turn), name: str(e.data.kind), result: str(e.data.detail) });
      break;
    case 'handoff.created':
      await step(w, { kind: 'handoff', name: 'handoff', result: str(e.data.reason) });
      break;
    case 'handoff.updated':
      await step(w, { kind: 'handoff', name: str(e.data.action) ?? 'update', result: str(e.data.state) });
      if (CLOSED_HANDOFF_STATES.has(String(e.data.state))) await closedHandoff(w, str(e.data.handoffId) ?? w.queryId);
      break;
    case 'audit.denied':
      await step(w, { kind: 'denied', turn: num(e.data.turn), name: str(e.data.tool), ok: false, error: 'denied' });
      break;
    default:
      // delivery.* and types this version does not know: the raw event row is the record.
      break;
  }
  return 'archived';
}

interface W {
  c: PoolClient;
  e: ArchivedEvent;
  ctx: WriteContext;
  convId: string;
  queryId: string;
}

async function conversationOf(c: PoolClient, queryId: string): Promise<string | undefined> {
  const r = await c.query<{ conversation_id: string }>('SELECT conversation_id FROM queries WHERE id = $1', [queryId]);
  return r.rows[0]?.conversation_id;
}

/** Insert or complete the query row; each event fills the columns it knows, in any order. */
async function upsertQuery(w: W, cols: Record<string, unknown>, createdMs: number): Promise<void> {
  const names = Object.keys(cols);
  const values = Object.values(cols);
  const list = ['id', 'conversation_id', 'created_at', ...names];
  const params = list.map((_, i) => `$${i + 1}`);
  const updates = names.map((n) => `${n} = coalesce(EXCLUDED.${n}, queries.${n})`);
  await w.c.query(
    `INSERT INTO queries (${list.join(', ')}) VALUES (${params.join(', ')})
     ON CONFLICT (id) DO UPDATE SET created_at = least(queries.created_at, EXCLUDED.created_at)${updates.map((u) => `, ${u}`).join('')}`,
    [w.queryId, w.convId, at(createdMs), ...values],
  );
}

async function addOrders(w: W, ...values: unknown[]): Promise<void> {
  const ids = orderIdsIn(...values);
  if (ids.length === 0) return;
  await w.c.query(
    'INSERT INTO conversation_orders (conversation_id, order_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING',
    [w.convId, ids],
  );
}

async function message(w: W, role: 'user' | 'assistant', content: string, ms: number): Promise<void> {
  await w.c.query(
    `INSERT INTO messages (id, conversation_id, query_id, role, content, at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO NOTHING`,
    [`${w.queryId}:${role}`, w.convId, w.queryId, role, w.ctx.policy.text(content), at(ms)],
  );
}

async function accepted(w: W): Promise<void> {
  const f = w.ctx.facts(w.queryId) ?? {};
  const d = w.e.data;
  const createdMs = f.createdMs ?? w.e.ts;
  await upsertQuery(
    w,
    {
      customer_id: f.customerId ?? str(d.customerId) ?? null,
      channel: f.channel ?? str(d.channel) ?? null,
      language: f.language ?? str(d.language) ?? null,
      text: f.text === undefined ? null : w.ctx.policy.text(f.text),
      trace_id: w.e.traceId ?? f.traceId ?? null,
    },
    createdMs,
  );
  if (f.text !== undefined) {
    await message(w, 'user', f.text, createdMs);
    await addOrders(w, f.text);
  }
}

async function completed(w: W): Promise<void> {
  const f = w.ctx.facts(w.queryId) ?? {};
  const d = w.e.data;
  const startMs = num(d.startMs) ?? f.createdMs ?? w.e.ts;
  const answer = str(d.answer);
  await upsertQuery(
    w,
    {
      customer_id: f.customerId ?? null,
      language: str(d.language) ?? f.language ?? null,
      answer: answer === undefined ? null : w.ctx.policy.text(answer),
      outcome: str(d.outcome) ?? null,
      reason: str(d.reason) ?? null,
      turns: num(d.turns),
      tool_calls: num(d.toolCalls),
      input_tokens: num(d.inputTokens),
      output_tokens: num(d.outputTokens),
      cost_usd: num(d.costUsd),
      trace_id: w.e.traceId ?? null,
      completed_at: at(num(d.endMs) ?? w.e.ts),
    },
    startMs,
  );
  if (f.customerId) {
    await w.c.query('UPDATE conversations SET customer_id = $2 WHERE id = $1 AND customer_id IS NULL', [w.convId, f.customerId]);
  }
  if (answer) {
    await message(w, 'assistant', answer, num(d.endMs) ?? w.e.ts);
    await addOrders(w, answer);
  }
}

interface StepCols {
  kind: string;
  turn?: number | null;
  idx?: number | null;
  name?: string | undefined;
  thought?: string | undefined;
  arguments?: unknown;
  result?: string | undefined;
  error?: string | undefined;
  ok?: boolean | null;
  latencyMs?: number | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  costUsd?: number | null;
}

async function step(w: W, s: StepCols): Promise<void> {
  const p = w.ctx.policy;
  await w.c.query(
    `INSERT INTO steps (id, conversation_id, query_id, kind, turn, idx, name, thought, arguments, result, error, ok,
                        latency_ms, input_tokens, output_tokens, cost_usd, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT (id) DO NOTHING`,
    [
      w.e.id,
      w.convId,
      w.queryId,
      s.kind,
      s.turn ?? null,
      s.idx ?? null,
      s.name ?? null,
      p.text(s.thought),
      s.arguments === undefined ? null : JSON.stringify(p.json(s.arguments)),
      p.text(s.result),
      s.error ?? null,
      s.ok ?? null,
      s.latencyMs === undefined || s.latencyMs === null ? null : Math.round(s.latencyMs),
      s.inputTokens ?? null,
      s.outputTokens ?? null,
      s.costUsd ?? null,
      at(w.e.ts),
    ],
  );
}

async function llmStep(w: W): Promise<void> {
  const d = w.e.data;
  const start = num(d.startMs);
  const end = num(d.endMs);
  await step(w, {
    kind: 'llm',
    turn: num(d.turn),
    name: str(d.model),
    thought: str(d.thought),
    result: str(d.proposal),
    error: str(d.error),
    ok: d.error === undefined,
    latencyMs: start !== null && end !== null ? end - start : null,
    inputTokens: num(d.inputTokens),
    outputTokens: num(d.outputTokens),
    costUsd: num(d.costUsd),
  });
  await addOrders(w, d.proposal);
}

async function toolStep(w: W): Promise<void> {
  const d = w.e.data;
  const start = num(d.startMs);
  const end = num(d.endMs);
  const name = str(d.name) ?? 'unknown';
  const turn = num(d.turn);
  await step(w, {
    kind: 'tool',
    turn,
    idx: num(d.index),
    name,
    arguments: d.arguments ?? {},
    result: str(d.result),
    error: str(d.errorType),
    ok: typeof d.ok === 'boolean' ? d.ok : null,
    latencyMs: start !== null && end !== null ? end - start : null,
  });
  await addOrders(w, d.arguments, d.result);
  const callId = str(d.callId);
  if (w.ctx.isWrite(name) && callId && turn !== null) {
    const p = w.ctx.policy;
    await w.c.query(
      `INSERT INTO writes (id, conversation_id, query_id, tool, arguments, idempotency_key, result, ok, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
      [
        w.e.id,
        w.convId,
        w.queryId,
        name,
        JSON.stringify(p.json(d.arguments ?? {})),
        idempotencyKey(w.queryId, turn, callId),
        p.text(str(d.result)),
        typeof d.ok === 'boolean' ? d.ok : null,
        at(w.e.ts),
      ],
    );
  }
}

/** A handoff that closed: its record and every message said while a person owned the conversation. */
async function closedHandoff(w: W, handoffId: string): Promise<void> {
  const h = w.ctx.handoff?.(handoffId);
  if (!h) return;
  const r = h.record;
  const p = w.ctx.policy;
  const ms = (v: number | undefined) => (v === undefined ? null : at(v));
  await w.c.query(
    `INSERT INTO handoffs (id, conversation_id, reason, summary, state, claimed_by, created_at, claimed_at, closed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, claimed_by = EXCLUDED.claimed_by,
       claimed_at = EXCLUDED.claimed_at, closed_at = EXCLUDED.closed_at`,
    [handoffId, w.convId, r.reason, p.text(r.summary), r.state, r.claimedBy ?? null, at(r.createdMs), ms(r.claimedMs), ms(r.closedMs ?? w.e.ts)],
  );
  for (const [seq, m] of h.messages.entries()) {
    await w.c.query(
      `INSERT INTO handoff_messages (handoff_id, seq, conversation_id, sender, operator, content, query_id, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (handoff_id, seq) DO NOTHING`,
      [handoffId, seq, w.convId, m.from, m.operator ?? null, p.text(m.text) ?? '', m.queryId ?? null, at(m.ts)],
    );
  }
  await addOrders(w, ...h.messages.map((m) => m.text));
}
