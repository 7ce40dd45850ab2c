// Where a turn's overhead goes, hop by hop: every millisecond of a query's server-side life
// ([startMs, endMs] of query.completed) is given to exactly one hop, so the hops other than
// `model` and `tool` add up to the overhead that event-metrics.ts reports (same definition:
// end to end minus model time minus the union of each turn's tool calls).
//
// The hops come from two sources, both still in Redis after a run:
//   - the events: llm.call and tool.call intervals, query.completed's start and end;
//   - the BullMQ job hashes of the query (deterministic ids, kept 15 min after completion):
//     `timestamp` (added; plus `delay`), `processedOn` (a worker took it), `finishedOn`.
// Where intervals overlap (a step enqueues its successor before its own job is marked
// finished), the higher-priority hop wins: model and tool time first, then a worker running a
// step, then a job waiting in its queue; time covered by none is a hand-over between jobs
// (`accept` before the query's first job was added: the ingress's own work and the relay).
//
// The hops follow the jobs, so they follow where each step is taken. Since ADR 0016 the
// reasoning-worker takes a turn's step on the proposal itself: `reasoning_after_model` is the
// llm.call event AND that step (cost record, the kernel's transition, the apply script, the
// relay of the turn's tool jobs or the completion), and `control_step` holds what the controller
// still runs (observe, and a decide job of an older reasoning-worker during a rolling
// deploy). Before, `reasoning_after_model` was the event and adding the decide job, and the
// decision was in `control_wait` + `control_step`.
import { Redis } from 'ioredis';
import { jobIds, type LlmCallEventData, type ToolCallEventData } from '@steward/core';
import type { QueryTiming } from './event-metrics.ts';
import { mean, percentile, round } from './stats.ts';

export const HOPS = [
  'accept',
  'reasoning_wait',
  'reasoning_before_model',
  'model',
  'reasoning_after_model',
  'control_wait',
  'control_step',
  'tools_wait',
  'tools_step',
  'tool',
  'handover',
] as const;
export type Hop = (typeof HOPS)[number];
/** Hops that are not overhead (the definition subtracts them). */
const NOT_OVERHEAD: ReadonlySet<Hop> = new Set(['model', 'tool']);

interface Raw {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** One job of a query as BullMQ recorded it. */
export interface JobTimes {
  queue: 'reasoning' | 'control' | 'tools';
  turn: number;
  addedMs: number;
  processedMs?: number;
  finishedMs?: number;
}

interface Span {
  from: number;
  to: number;
  hop: Hop;
}

const PRIORITY: Record<Hop, number> = {
  model: 0,
  tool: 0,
  reasoning_before_model: 1,
  reasoning_after_model: 1,
  control_step: 1,
  tools_step: 1,
  reasoning_wait: 2,
  control_wait: 2,
  tools_wait: 2,
  accept: 3,
  handover: 3,
};

/** The job ids a query of `turns` turns may have had, with their queue and turn. */
function candidateJobs(queryId: string, events: readonly Raw[], turns: number): { key: string; queue: JobTimes['queue']; turn: number }[] {
  const out: { key: string; queue: JobTimes['queue']; turn: number }[] = [];
  for (let t = 0; t < turns; t++) {
    out.push({ key: `reasoning:${jobIds.reason(queryId, t)}`, queue: 'reasoning', turn: t });
    out.push({ key: `control:${jobIds.decide(queryId, t)}`, queue: 'control', turn: t });
    out.push({ key: `control:${jobIds.observe(queryId, t)}`, queue: 'control', turn: t });
  }
  const calls = new Set<string>();
  for (const e of events) {
    if (e.type !== 'tool.call') continue;
    const d = e.data as unknown as ToolCallEventData;
    const key = `tools:${jobIds.toolCall(queryId, d.turn, d.index)}`;
    if (!calls.has(key)) out.push({ key, queue: 'tools', turn: d.turn });
    calls.add(key);
  }
  return out;
}

/** Reads the BullMQ timestamps of every job of the given queries (one pipeline per 2,000 keys). */
export async function readJobTimes(redisUrl: string, prefix: string, queries: ReadonlyMap<string, { events: readonly Raw[]; turns: number }>): Promise<Map<string, JobTimes[]>> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const out = new Map<string, JobTimes[]>();
  try {
    const wanted = [...queries].flatMap(([queryId, q]) => candidateJobs(queryId, q.events, q.turns).map((j) => ({ ...j, queryId })));
    for (let i = 0; i < wanted.length; i += 2000) {
      const slice = wanted.slice(i, i + 2000);
      const p = redis.pipeline();
      for (const j of slice) p.hmget(`${prefix}:${j.key}`, 'timestamp', 'delay', 'processedOn', 'finishedOn');
      const res = (await p.exec()) ?? [];
      slice.forEach((j, k) => {
        const [ts, delay, processed, finished] = (res[k]?.[1] ?? []) as (string | null)[];
        if (!ts) return;
        const list = out.get(j.queryId) ?? [];
        list.push({
          queue: j.queue,
          turn: j.turn,
          addedMs: Number(ts) + Number(delay ?? 0),
          ...(processed ? { processedMs: Number(processed) } : {}),
          ...(finished ? { finishedMs: Number(finished) } : {}),
        });
        out.set(j.queryId, list);
      });
    }
  } finally {
    redis.disconnect();
  }
  return out;
}

/** Milliseconds per hop over one query's [startMs, endMs] (each millisecond counted once). */
export function hopsOf(t: QueryTiming, events: readonly Raw[], jobs: readonly JobTimes[]): Record<Hop, number> {
  const start = t.completed.startMs;
  const end = t.completed.endMs;
  const spans: Span[] = [];
  const llm = new Map<number, LlmCallEventData>();
  // A redelivered step writes its event again under the same id: the last one counts, as in
  // event-metrics.ts, so the hops add up to its overhead (an earlier, abandoned call is overhead).
  const unique = new Map(events.map((e) => [e.id, e]));
  for (const e of unique.values()) {
    if (e.type === 'llm.call') {
      const d = e.data as unknown as LlmCallEventData;
      llm.set(d.turn, d);
      spans.push({ from: d.startMs, to: d.endMs, hop: 'model' });
    } else if (e.type === 'tool.call') {
      const d = e.data as unknown as ToolCallEventData;
      spans.push({ from: d.startMs, to: d.endMs, hop: 'tool' });
    }
  }
  for (const j of jobs) {
    if (j.processedMs === undefined) continue;
    spans.push({ from: j.addedMs, to: j.processedMs, hop: `${j.queue}_wait` });
    const finished = j.finishedMs ?? end;
    if (j.queue === 'reasoning') {
      const call = llm.get(j.turn);
      if (call) {
        spans.push({ from: j.processedMs, to: call.startMs, hop: 'reasoning_before_model' });
        spans.push({ from: call.endMs, to: finished, hop: 'reasoning_after_model' });
      } else spans.push({ from: j.processedMs, to: finished, hop: 'reasoning_before_model' });
    } else spans.push({ from: j.processedMs, to: finished, hop: j.queue === 'control' ? 'control_step' : 'tools_step' });
  }
  const firstJob = Math.min(...jobs.map((j) => j.addedMs), end);
  const cuts = [...new Set([start, end, ...spans.flatMap((s) => [s.from, s.to])])].filter((x) => x >= start && x <= end).sort((a, b) => a - b);
  const out = Object.fromEntries(HOPS.map((h) => [h, 0])) as Record<Hop, number>;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i]!;
    const b = cuts[i + 1]!;
    let best: Hop | undefined;
    for (const s of spans) {
      if (s.from <= a && s.to >= b && s.to > s.from && (best === undefined || PRIORITY[s.hop] < PRIORITY[best])) best = s.hop;
    }
    out[best ?? (b <= firstJob ? 'accept' : 'handover')] += b - a;
  }
  return out;
}

export interface HopFigures {
  p50: number;
  p99: number;
  mean: number;
  /** Mean over the 5 % of queries with the largest overhead per turn: what the tail is made of. */
  slowest_5pct_mean: number;
}

/**
 * Per-turn milliseconds of each hop (p50, p99, mean over queries), plus `answer_to_driver`: from
 * the completion's commit to the driver reading it off the event stream (after endMs, so not
 * part of the overhead), and `overhead` recomputed as the sum of the overhead hops (a check:
 * it equals overhead_per_turn_ms up to the tool union's clipping to the query's window).
 */
export function overheadBreakdown(
  timings: readonly QueryTiming[],
  events: ReadonlyMap<string, readonly Raw[]>,
  jobs: ReadonlyMap<string, readonly JobTimes[]>,
  seenMs: ReadonlyMap<string, number>,
): Record<string, HopFigures> {
  const rows = timings.map((t) => {
    const turns = Math.max(1, t.turns);
    const h = hopsOf(t, events.get(t.queryId) ?? [], jobs.get(t.queryId) ?? []);
    const perTurn: Record<string, number> = {};
    let overhead = 0;
    for (const k of HOPS) {
      perTurn[k] = h[k] / turns;
      if (!NOT_OVERHEAD.has(k)) overhead += h[k] / turns;
    }
    perTurn.overhead = overhead;
    const seen = seenMs.get(t.queryId);
    if (seen !== undefined) perTurn.answer_to_driver = Math.max(0, seen - t.completed.endMs);
    return perTurn;
  });
  const slow = [...rows].sort((a, b) => b.overhead! - a.overhead!).slice(0, Math.max(1, Math.ceil(rows.length * 0.05)));
  const out: Record<string, HopFigures> = {};
  for (const k of [...HOPS, 'overhead', 'answer_to_driver']) {
    const xs = rows.map((r) => r[k]).filter((x): x is number => x !== undefined);
    if (xs.length === 0) continue;
    out[k] = {
      p50: round(percentile(xs, 50), 1),
      p99: round(percentile(xs, 99), 1),
      mean: round(mean(xs), 1),
      slowest_5pct_mean: round(mean(slow.map((r) => r[k] ?? 0)), 1),
    };
  }
  return out;
}

/**
 * The most jobs of each queue that were in the system at once (added and not yet finished) and
 * the most running at once (taken by a worker): the first is the demand a pool's slots must
 * meet; when it exceeds the slots, the difference waits in the queue.
 */
export function inFlightPeaks(jobs: ReadonlyMap<string, readonly JobTimes[]>): Record<string, { in_system: number; running: number }> {
  const edges = new Map<string, { sys: [number, number][]; run: [number, number][] }>();
  for (const list of jobs.values()) {
    for (const j of list) {
      if (j.finishedMs === undefined) continue;
      const e = edges.get(j.queue) ?? { sys: [], run: [] };
      e.sys.push([j.addedMs, 1], [j.finishedMs, -1]);
      if (j.processedMs !== undefined) e.run.push([j.processedMs, 1], [j.finishedMs, -1]);
      edges.set(j.queue, e);
    }
  }
  // Ends before starts at the same millisecond: a slot freed and taken again is one slot.
  const peak = (xs: [number, number][]): number => {
    let n = 0;
    let max = 0;
    for (const [, d] of xs.sort((a, b) => a[0] - b[0] || a[1] - b[1])) max = Math.max(max, (n += d));
    return max;
  };
  return Object.fromEntries([...edges].map(([q, e]) => [q, { in_system: peak(e.sys), running: peak(e.run) }]));
}
