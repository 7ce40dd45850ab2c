// Turns the driver's records, the event stream and the shop's write ledger into the figures
// of the load report.
import type { DriveResult } from './driver.ts';
import type { CompletionWatcher } from './completions.ts';
import { readQueryEvents, timingOf, type QueryTiming } from './event-metrics.ts';
import { mean, percentile, round } from './stats.ts';

export interface Accounting {
  accepted: number;
  answered: number;
  lost: number;
  duplicate_answers: number;
  not_accepted: number;
  timings: QueryTiming[];
  lostQueryIds: string[];
  /** The accepted queries' events, by query id (for the per-hop breakdown). */
  events: Awaited<ReturnType<typeof readQueryEvents>>;
}

/**
 * Every accepted query must have exactly one completion. A query the watcher did not see is
 * looked up once more through GET /v1/queries/:id before it is counted lost.
 */
export async function account(
  run: DriveResult,
  watcher: CompletionWatcher,
  o: { redisUrl: string; prefix: string; baseUrl: string; apiKey: string },
): Promise<Accounting> {
  const accepted = run.records.filter((r) => r.accepted);
  const ids = new Set(accepted.flatMap((r) => r.queryIds));
  const events = await readQueryEvents(o.redisUrl, o.prefix, ids);
  const timings: QueryTiming[] = [];
  const lostQueryIds: string[] = [];
  let duplicates = 0;
  for (const r of accepted) {
    // Two query ids for one message: the customer would get two answers.
    if (r.queryIds.length > 1) duplicates += r.queryIds.length - 1;
  }
  for (const id of ids) {
    const t = timingOf(id, events.get(id) ?? []);
    const seen = watcher.completions.get(id)?.length ?? 0;
    if (t) {
      timings.push(t);
      duplicates += Math.max(0, Math.max(t.completionEvents, seen) - 1);
      continue;
    }
    const res = await fetch(`${o.baseUrl}/v1/queries/${id}`, { headers: { authorization: `Bearer ${o.apiKey}` } }).catch(() => undefined);
    const view = (await res?.json().catch(() => undefined)) as { status?: string } | undefined;
    if (view?.status !== 'completed' && view?.status !== 'failed') lostQueryIds.push(id);
  }
  return {
    accepted: ids.size,
    answered: ids.size - lostQueryIds.length,
    lost: lostQueryIds.length,
    duplicate_answers: duplicates,
    not_accepted: run.records.filter((r) => !r.accepted).length,
    timings,
    lostQueryIds,
    events,
  };
}

export function pipelineFigures(run: DriveResult, acc: Accounting) {
  const t = acc.timings;
  const minutes = (run.endMs - run.startMs) / 60_000;
  const acks = run.records.filter((r) => r.ackMs !== undefined).map((r) => r.ackMs!);
  const lat = run.records.filter((r) => r.latencyMs !== undefined).map((r) => r.latencyMs!);
  const e2e = t.map((x) => x.e2eMs);
  const over = t.map((x) => x.overheadPerTurnMs);
  const reasons: Record<string, number> = {};
  for (const x of t) if (x.completed.outcome !== 'answered') reasons[x.completed.reason] = (reasons[x.completed.reason] ?? 0) + 1;
  const loops = t.filter((x) => x.completed.reason === 'loop_detected' || x.completed.reason === 'max_turns').length;
  return {
    queries: acc.accepted,
    answered: acc.answered,
    wall_s: round((run.endMs - run.startMs) / 1000, 1),
    throughput_qpm: round(t.length / minutes, 0),
    latency_ms: { p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), mean: round(mean(lat), 0) },
    server_e2e_ms: { p50: percentile(e2e, 50), p99: percentile(e2e, 99) },
    ingress_ack_ms: { p50: percentile(acks, 50), p99: percentile(acks, 99) },
    overhead_per_turn_ms: { p50: round(percentile(over, 50), 2), p99: round(percentile(over, 99), 2), mean: round(mean(over), 2) },
    model_ms_per_query: round(mean(t.map((x) => x.modelMs)), 1),
    tool_ms_per_query: round(mean(t.map((x) => x.toolMs)), 1),
    turns_per_query: round(mean(t.map((x) => x.completed.turns)), 2),
    tool_calls_per_query: round(mean(t.map((x) => x.completed.toolCalls)), 2),
    tokens_per_query: round(mean(t.map((x) => x.completed.inputTokens + x.completed.outputTokens)), 0),
    cost_per_query_usd: round(mean(t.map((x) => x.completed.costUsd)), 6),
    fallbacks: reasons,
    loop_incidents: loops,
    lost: acc.lost,
    duplicate_answers: acc.duplicate_answers,
    errors: acc.not_accepted + Object.values(reasons).reduce((a, b) => a + b, 0),
    ...postFigures(run),
  };
}

/**
 * What the driver itself asked of the ingress: every POST (first attempts and retries), the
 * 429s among them (each retried after its Retry-After while the message's window lasted), and
 * the share of POSTs that were retries — load the ingress serves that no customer message adds.
 */
export function postFigures(run: Pick<DriveResult, 'records'>) {
  const attempts = run.records.reduce((a, r) => a + r.attempts, 0);
  const retries = attempts - run.records.filter((r) => r.attempts > 0).length;
  return {
    post_attempts: attempts,
    rate_limited_retries: run.records.reduce((a, r) => a + r.rateLimited, 0),
    retry_share_of_posts: attempts ? round(retries / attempts, 3) : 0,
    retry_after_wait_s: round(run.records.reduce((a, r) => a + r.retryAfterWaitMs, 0) / 1000, 1),
  };
}
