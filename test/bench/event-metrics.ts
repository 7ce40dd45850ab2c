// Per-query timing from the event stream: where the end-to-end time of a query went.
//
//   overhead = (endMs - startMs of query.completed)          server-side end to end
//            - Σ (endMs - startMs) of its llm.call events      model time
//            - Σ over turns of |∪ [startMs, endMs] of the turn's tool.call events|
//
// The tool term is the length of the union of the turn's tool-call intervals: time during
// which at least one tool of the turn was running. For a chain A→B it is dur(A)+dur(B) (the
// hop between them is overhead); for parallel calls it is at most the longest chain plus the
// stagger of their starts. It lies between the true DAG critical path (tool.call events carry
// no dependency edges) and max(end)-min(start), so the overhead reported is a slight lower
// bound when calls of a turn run in parallel with staggered starts, and exact otherwise.
import { Redis } from 'ioredis';
import type { LlmCallEventData, QueryCompletedEventData, ToolCallEventData } from '@steward/core';

export interface QueryTiming {
  queryId: string;
  e2eMs: number;
  modelMs: number;
  toolMs: number;
  turns: number;
  overheadPerTurnMs: number;
  completed: QueryCompletedEventData;
  completionEvents: number;
}

interface Raw {
  id: string;
  type: string;
  queryId?: string;
  data: Record<string, unknown>;
}

/** Reads the whole stream once (in pages) and groups the events of the given queries. */
export async function readQueryEvents(redisUrl: string, prefix: string, queryIds: ReadonlySet<string>): Promise<Map<string, Raw[]>> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const out = new Map<string, Raw[]>();
  try {
    let start = '-';
    for (;;) {
      const page = await redis.xrange(`${prefix}:events`, start, '+', 'COUNT', 5000);
      for (const [, fields] of page) {
        const e = JSON.parse(fields[1] ?? '{}') as Raw;
        if (!e.queryId || !queryIds.has(e.queryId)) continue;
        const list = out.get(e.queryId) ?? [];
        list.push(e);
        out.set(e.queryId, list);
      }
      if (page.length < 5000) break;
      start = `(${page.at(-1)![0]}`;
    }
  } finally {
    redis.disconnect();
  }
  return out;
}

/** Length of the union of intervals. */
export function unionLength(intervals: readonly [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [s, e] of sorted) {
    if (s > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else curEnd = Math.max(curEnd, e);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

export function timingOf(queryId: string, events: readonly Raw[]): QueryTiming | undefined {
  // A redelivered step may emit its event again with the same id: the last one counts once.
  const byId = new Map<string, Raw>();
  let completions = 0;
  for (const e of events) {
    byId.set(e.id, e);
    if (e.type === 'query.completed') completions++;
  }
  const unique = [...byId.values()];
  const done = unique.find((e) => e.type === 'query.completed');
  if (!done) return undefined;
  const c = done.data as unknown as QueryCompletedEventData;
  const modelMs = unique
    .filter((e) => e.type === 'llm.call')
    .reduce((a, e) => a + Math.max(0, (e.data as unknown as LlmCallEventData).endMs - (e.data as unknown as LlmCallEventData).startMs), 0);
  const perTurn = new Map<number, [number, number][]>();
  for (const e of unique) {
    if (e.type !== 'tool.call') continue;
    const t = e.data as unknown as ToolCallEventData;
    const list = perTurn.get(t.turn) ?? [];
    list.push([t.startMs, t.endMs]);
    perTurn.set(t.turn, list);
  }
  let toolMs = 0;
  for (const list of perTurn.values()) toolMs += unionLength(list);
  const e2eMs = c.endMs - c.startMs;
  const turns = Math.max(1, c.turns);
  return {
    queryId,
    e2eMs,
    modelMs,
    toolMs,
    turns: c.turns,
    overheadPerTurnMs: Math.max(0, e2eMs - modelMs - toolMs) / turns,
    completed: c,
    completionEvents: completions,
  };
}
