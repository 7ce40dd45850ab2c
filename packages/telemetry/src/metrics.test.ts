import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import type { StewardEvent } from '@steward/core';
import { parseMetricsHash, readMetricsSnapshot, recordEventMetrics } from './metrics-store.ts';
import { renderPrometheus } from './prometheus-text.ts';
import { sampleQuery } from './sample-events.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('metrics');
let redis: Redis;

beforeAll(() => {
  redis = new Redis(url, { maxRetriesPerRequest: 3 });
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A small parser of the text format: enough to check HELP/TYPE and read samples back. */
function parseExposition(text: string): { types: Map<string, string>; helps: Set<string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    let m = /^# TYPE (\S+) (counter|gauge|histogram)$/.exec(line);
    if (m) {
      types.set(m[1]!, m[2]!);
      continue;
    }
    m = /^# HELP (\S+) .+$/.exec(line);
    if (m) {
      helps.add(m[1]!);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`bad exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const p of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[p[1]!] = p[2]!;
    samples.push({ name: m[1]!, labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) });
  }
  return { types, helps, samples };
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('fleet-wide metrics in Redis', () => {
  it('records each event once and renders a valid Prometheus exposition', async () => {
    const q = sampleQuery();
    const extra: StewardEvent[] = [
      { id: `${q.queryId}:dead`, type: 'delivery.dead', ts: 1, queryId: q.queryId, data: {} },
      { id: `${q.queryId}:crit`, type: 'control.decision', ts: 2, queryId: q.queryId, data: { kind: 'loop_critical', detail: 'x', turn: 1 } },
    ];
    for (const e of [...q.events, ...extra]) expect(await recordEventMetrics(redis, prefix, e)).toBe(true);
    // Redelivery of the same events (at-least-once stream) must not count again.
    for (const e of q.events) expect(await recordEventMetrics(redis, prefix, e)).toBe(false);
    const loop = sampleQuery({ outcome: 'fallback', reason: 'loop_detected' });
    await recordEventMetrics(redis, prefix, loop.events.at(-1)!);

    const text = renderPrometheus(await readMetricsSnapshot(redis, prefix), {
      reasoning: { waiting: 3, active: 1, delayed: 0, failed: 2, completed: 40 },
      tools: { active: 2 },
    });
    const { types, helps, samples } = parseExposition(text);
    for (const [name] of types) expect(helps.has(name)).toBe(true);
    expect(types.get('steward_query_duration_seconds')).toBe('histogram');
    expect(types.get('steward_queries_total')).toBe('counter');
    expect(types.get('steward_queue_jobs')).toBe('gauge');

    expect(find(samples, 'steward_queries_total', { outcome: 'answered' })).toBe(1);
    expect(find(samples, 'steward_queries_total', { outcome: 'loop_detected' })).toBe(1);
    expect(find(samples, 'steward_queries_total', { outcome: 'failed' })).toBe(0);
    expect(find(samples, 'steward_queries_total', { outcome: 'handoff' })).toBe(0);
    expect(find(samples, 'steward_queries_accepted_total', { channel: 'web' })).toBe(1);

    // Query latency 0.91 s: first bucket ≥ 0.91 is le=1; cumulative buckets are monotone.
    expect(find(samples, 'steward_query_duration_seconds_bucket', { le: '0.5' })).toBe(0);
    expect(find(samples, 'steward_query_duration_seconds_bucket', { le: '1' })).toBe(2);
    expect(find(samples, 'steward_query_duration_seconds_bucket', { le: '+Inf' })).toBe(2);
    expect(find(samples, 'steward_query_duration_seconds_count')).toBe(2);
    expect(find(samples, 'steward_query_duration_seconds_sum')).toBeCloseTo(1.82, 6);
    const buckets = samples.filter((s) => s.name === 'steward_query_turns_bucket').map((s) => s.value);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    expect(find(samples, 'steward_query_turns_bucket', { le: '2' })).toBe(2);

    expect(find(samples, 'steward_llm_tokens_total', { type: 'input' })).toBe(1836);
    expect(find(samples, 'steward_llm_tokens_total', { type: 'output' })).toBe(144);
    expect(find(samples, 'steward_llm_tokens_total', { type: 'cached_input' })).toBe(256);
    expect(find(samples, 'steward_llm_cost_usd_total', { model: 'sim-llm-1' })).toBeCloseTo(0.0027, 9);
    expect(find(samples, 'steward_llm_retries_total', { model: 'sim-llm-1' })).toBe(1);
    expect(find(samples, 'steward_llm_call_duration_seconds_count', { model: 'sim-llm-1' })).toBe(2);
    expect(find(samples, 'steward_tool_duration_seconds_count', { tool: 'find_user_id_by_email' })).toBe(1);
    expect(find(samples, 'steward_tool_calls_total', { tool: 'get_order_details', status: 'error' })).toBe(1);
    expect(find(samples, 'steward_tool_cache_hits_total', { tool: 'get_order_details' })).toBe(1);
    expect(find(samples, 'steward_tool_cache_misses_total', { tool: 'find_user_id_by_email' })).toBe(1);
    expect(find(samples, 'steward_loop_warnings_total', { level: 'warning' })).toBe(1);
    expect(find(samples, 'steward_loop_warnings_total', { level: 'critical' })).toBe(1);
    expect(find(samples, 'steward_deliveries_dead_total')).toBe(1);

    expect(find(samples, 'gen_ai_client_token_usage_count', { gen_ai_token_type: 'input', gen_ai_request_model: 'sim-llm-1' })).toBe(2);
    expect(find(samples, 'gen_ai_client_token_usage_sum', { gen_ai_token_type: 'output', gen_ai_operation_name: 'chat' })).toBe(144);
    expect(find(samples, 'gen_ai_client_token_usage_bucket', { gen_ai_token_type: 'input', le: '1024' })).toBe(2);
    expect(find(samples, 'gen_ai_client_token_usage_bucket', { gen_ai_token_type: 'input', le: '256' })).toBe(0);
    expect(find(samples, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_provider_name: 'openai' })).toBe(2);

    expect(find(samples, 'steward_queue_jobs', { queue: 'reasoning', state: 'waiting' })).toBe(3);
    expect(find(samples, 'steward_queue_jobs', { queue: 'reasoning', state: 'completed' })).toBe(40);
    expect(find(samples, 'steward_queue_jobs', { queue: 'tools', state: 'waiting' })).toBe(0);
    expect(find(samples, 'steward_queue_jobs', { queue: 'tools', state: 'active' })).toBe(2);
  });

  it('renders HELP/TYPE and zero series before anything happened, and escapes label values', () => {
    const text = renderPrometheus(parseMetricsHash({}));
    expect(text).toContain('# TYPE gen_ai_client_operation_duration_seconds histogram');
    expect(text).toContain('steward_deliveries_dead_total 0\n');
    expect(text).toContain('steward_queries_total{outcome="fallback"} 0\n');
    const esc = renderPrometheus({ counters: [], histograms: [] }, { 'we"ird\\q': { waiting: 1 } });
    expect(esc).toContain('steward_queue_jobs{queue="we\\"ird\\\\q",state="waiting"} 1');
  });

  it('ignores hash fields of metrics it does not know (a newer replica wrote them)', () => {
    const snap = parseMetricsHash({ 'c|steward_future_total|': '3', 'c|steward_handoffs_total|': '2' });
    expect(snap.counters).toEqual([{ name: 'steward_handoffs_total', labels: {}, value: 2 }]);
  });
});
