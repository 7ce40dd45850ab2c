// The debug trace of one query: every step's thought, action, arguments, observation, error,
// latency and tokens, plus totals — what an engineer reads to see why the agent did what it did.
// Built from the query's events (the per-query list), personal data redacted by default.
import { z } from 'zod';
import {
  LlmCallEventData,
  QueryCompletedEventData,
  ToolCallEventData,
  type StewardEvent,
} from '@steward/core';
import { classifyOutcome } from './outcome-class.ts';
import { namesInEvents } from './known-names.ts';
import { redactDeep, redactPii } from './redact-pii.ts';

export const DebugStep = z.object({
  turn: z.number().int(),
  kind: z.enum(['llm', 'tool', 'decision']),
  /** Model (llm), tool name (tool) or decision kind. */
  name: z.string(),
  startMs: z.number(),
  thought: z.string().optional(),
  action: z.string().optional(),
  arguments: z.record(z.string(), z.unknown()).optional(),
  observation: z.string().optional(),
  error: z.string().optional(),
  latencyMs: z.number(),
  tokens: z.object({ input: z.number(), output: z.number(), cachedInput: z.number().optional() }).optional(),
  costUsd: z.number().optional(),
  cacheHit: z.boolean().optional(),
  /** Position of a tool call in its turn (calls of one turn may run in parallel). */
  index: z.number().int().optional(),
});
export type DebugStep = z.infer<typeof DebugStep>;

export const DebugTrace = z.object({
  queryId: z.string(),
  conversationId: z.string().optional(),
  traceId: z.string().optional(),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  outcome: z.string().optional(),
  reason: z.string().optional(),
  answer: z.string().optional(),
  steps: z.array(DebugStep),
  totals: z.object({
    latencyMs: z.number(),
    inputTokens: z.number(),
    outputTokens: z.number(),
    costUsd: z.number(),
    turns: z.number(),
    toolCalls: z.number(),
    success: z.boolean(),
  }),
});
export type DebugTrace = z.infer<typeof DebugTrace>;

const KIND_ORDER = { llm: 0, tool: 1, decision: 2 } as const;

/** `events` are those of one query, in any order (redelivered duplicates are dropped by id). */
export function buildDebugTrace(
  events: readonly StewardEvent[],
  opts: { redact?: boolean; /** Names known from earlier queries of the conversation. */ names?: readonly string[] } = {},
): DebugTrace {
  const redact = opts.redact ?? true;
  const unique = [...new Map(events.map((e) => [e.id, e])).values()].sort((a, b) => a.ts - b.ts);
  // The customer's name as this query's tools learned it goes wherever it is written, cue or not.
  const names = redact ? [...namesInEvents(unique), ...(opts.names ?? [])] : [];
  const text = (s: string | undefined): string | undefined => (s === undefined ? undefined : redact ? redactPii(s, { names }) : s);
  const first = unique[0];
  const steps: DebugStep[] = [];
  let completed: z.infer<typeof QueryCompletedEventData> | undefined;

  for (const e of unique) {
    if (e.type === 'llm.call') {
      const p = LlmCallEventData.safeParse(e.data);
      if (!p.success) continue;
      const d = p.data;
      steps.push({
        turn: d.turn,
        kind: 'llm',
        name: d.model,
        startMs: d.startMs,
        thought: text(d.thought),
        action: text(d.proposal),
        error: text(d.error),
        latencyMs: Math.max(0, d.endMs - d.startMs),
        tokens: { input: d.inputTokens, output: d.outputTokens, ...(d.cachedInputTokens ? { cachedInput: d.cachedInputTokens } : {}) },
        costUsd: d.costUsd,
      });
    } else if (e.type === 'tool.call') {
      const p = ToolCallEventData.safeParse(e.data);
      if (!p.success) continue;
      const d = p.data;
      steps.push({
        turn: d.turn,
        kind: 'tool',
        name: d.name,
        startMs: d.startMs,
        action: d.name,
        arguments: d.arguments && (redact ? (redactDeep(d.arguments, { names }) as Record<string, unknown>) : d.arguments),
        observation: text(d.result),
        error: d.ok ? undefined : (d.errorType ?? 'error'),
        latencyMs: Math.max(0, d.endMs - d.startMs),
        cacheHit: d.cacheHit,
        index: d.index,
      });
    } else if (e.type === 'control.decision' || e.type === 'audit.denied') {
      const kind = e.type === 'audit.denied' ? 'audit_denied' : typeof e.data.kind === 'string' ? e.data.kind : 'unknown';
      const detail = typeof e.data.detail === 'string' ? e.data.detail : typeof e.data.reason === 'string' ? e.data.reason : undefined;
      steps.push({
        turn: typeof e.data.turn === 'number' ? e.data.turn : lastTurn(steps),
        kind: 'decision',
        name: kind,
        startMs: e.ts,
        action: kind,
        observation: text(detail),
        latencyMs: 0,
      });
    } else if (e.type === 'query.completed') {
      const p = QueryCompletedEventData.safeParse(e.data);
      if (p.success) completed = p.data;
    }
  }
  steps.sort(
    (a, b) =>
      a.turn - b.turn || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.startMs - b.startMs || (a.index ?? 0) - (b.index ?? 0),
  );
  for (const s of steps) for (const k of Object.keys(s) as Array<keyof DebugStep>) if (s[k] === undefined) delete s[k];

  const llm = steps.filter((s) => s.kind === 'llm');
  const sum = (f: (s: DebugStep) => number): number => llm.reduce((acc, s) => acc + f(s), 0);
  const cls = completed ? classifyOutcome(completed.outcome, completed.reason) : undefined;
  const status: DebugTrace['status'] = completed
    ? cls === 'failed'
      ? 'failed'
      : 'completed'
    : unique.some((e) => e.type !== 'query.accepted')
      ? 'running'
      : 'queued';
  const last = unique.at(-1);
  const trace: DebugTrace = {
    queryId: first?.queryId ?? '',
    conversationId: first?.conversationId,
    traceId: unique.find((e) => e.traceId)?.traceId,
    status,
    outcome: completed?.outcome,
    reason: completed?.reason,
    answer: completed?.answer === undefined ? undefined : text(completed.answer),
    steps,
    totals: {
      latencyMs: completed ? Math.max(0, completed.endMs - completed.startMs) : first && last ? last.ts - first.ts : 0,
      inputTokens: completed?.inputTokens ?? sum((s) => s.tokens?.input ?? 0),
      outputTokens: completed?.outputTokens ?? sum((s) => s.tokens?.output ?? 0),
      costUsd: completed?.costUsd ?? sum((s) => s.costUsd ?? 0),
      turns: completed?.turns ?? (llm.length ? lastTurn(llm) + 1 : 0),
      toolCalls: completed?.toolCalls ?? steps.filter((s) => s.kind === 'tool').length,
      success: cls === 'answered',
    },
  };
  for (const k of Object.keys(trace) as Array<keyof DebugTrace>) if (trace[k] === undefined) delete trace[k];
  return trace;
}

function lastTurn(steps: readonly DebugStep[]): number {
  return steps.reduce((m, s) => Math.max(m, s.turn), 0);
}
