// Fleet-wide metrics live in one Redis hash (`{prefix}:metrics`), so every ingress replica serves
// the same numbers. Counters and histogram buckets are hash fields incremented in one Lua call,
// together with a per-event guard key: a redelivered event is never counted twice.
import type { Redis } from 'ioredis';
import { DEFAULTS, keysFor, type StewardEvent } from '@steward/core';
import { METRICS, type MetricName } from './metric-defs.ts';
import { eventObservations, type Observation } from './event-metrics.ts';

// Built in @steward/core's redis-keys.ts with every other key (namespace `metrics`).
export const metricsKey = (prefix: string): string => keysFor(prefix).metrics;
export const metricsGuardKey = (prefix: string, eventId: string): string => keysFor(prefix).metricsSeen(eventId);

// Field layout: `c|{name}|{labels}` for counters; `h|{name}|{labels}|b{i}` (non-cumulative bucket
// i, i = bounds.length for +Inf), `…|sum` and `…|count` for histograms. Labels are `k=v,k=v` sorted.
const RECORD_LUA = `
if ARGV[1] ~= '0' then
  if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return 0 end
end
for i = 2, #ARGV, 2 do
  redis.call('HINCRBYFLOAT', KEYS[1], ARGV[i], ARGV[i + 1])
end
return 1`;

function labelString(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]!.replace(/[|,=\n]/g, '_')}`)
    .join(',');
}

function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!s) return out;
  for (const kv of s.split(',')) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** Hash-field increments for a list of observations. */
export function observationFields(observations: readonly Observation[]): Array<[field: string, incr: number]> {
  const out: Array<[string, number]> = [];
  for (const o of observations) {
    const def = METRICS[o.name];
    const l = labelString(o.labels);
    if (def.type === 'counter') out.push([`c|${o.name}|${l}`, o.value]);
    else if (def.type === 'histogram') {
      const bounds: readonly number[] = 'buckets' in def ? def.buckets : [];
      let i = bounds.findIndex((b) => o.value <= b);
      if (i < 0) i = bounds.length;
      out.push([`h|${o.name}|${l}|b${i}`, 1], [`h|${o.name}|${l}|sum`, o.value], [`h|${o.name}|${l}|count`, 1]);
    }
  }
  return out;
}

/**
 * Add one event to the fleet-wide metrics. With `dedupe` (default) the event id is remembered
 * for `guardTtlSec` and a second call for the same event is a no-op. Returns whether it counted.
 */
export async function recordEventMetrics(
  redis: Redis,
  prefix: string,
  event: StewardEvent,
  opts: { dedupe?: boolean; guardTtlSec?: number } = {},
): Promise<boolean> {
  const fields = observationFields(eventObservations(event));
  const ttl = opts.dedupe === false ? 0 : (opts.guardTtlSec ?? DEFAULTS.dedupeTtlSec);
  if (fields.length === 0 && ttl === 0) return false;
  const argv: Array<string | number> = [ttl];
  for (const [f, v] of fields) argv.push(f, v);
  const r = await redis.eval(RECORD_LUA, 2, metricsKey(prefix), metricsGuardKey(prefix, event.id), ...argv);
  return r === 1;
}

export interface CounterSample {
  name: MetricName;
  labels: Record<string, string>;
  value: number;
}
export interface HistogramSample {
  name: MetricName;
  labels: Record<string, string>;
  /** Non-cumulative count per bucket, aligned with the metric's bounds, last one is +Inf. */
  bucketCounts: number[];
  sum: number;
  count: number;
}
export interface MetricsSnapshot {
  counters: CounterSample[];
  histograms: HistogramSample[];
}

export async function readMetricsSnapshot(redis: Redis, prefix: string): Promise<MetricsSnapshot> {
  return parseMetricsHash(await redis.hgetall(metricsKey(prefix)));
}

/** Hash fields → samples; fields of metrics this version does not know are ignored. */
export function parseMetricsHash(hash: Record<string, string>): MetricsSnapshot {
  const counters: CounterSample[] = [];
  const histograms = new Map<string, HistogramSample>();
  for (const [field, raw] of Object.entries(hash)) {
    const parts = field.split('|');
    const name = parts[1] as MetricName;
    const def = METRICS[name] as (typeof METRICS)[MetricName] | undefined;
    const value = Number(raw);
    if (!def || !Number.isFinite(value)) continue;
    const labels = parseLabels(parts[2] ?? '');
    if (parts[0] === 'c' && def.type === 'counter') {
      counters.push({ name, labels, value });
    } else if (parts[0] === 'h' && def.type === 'histogram') {
      const bounds: readonly number[] = 'buckets' in def ? def.buckets : [];
      const key = `${name}|${parts[2] ?? ''}`;
      let h = histograms.get(key);
      if (!h) {
        h = { name, labels, bucketCounts: new Array<number>(bounds.length + 1).fill(0), sum: 0, count: 0 };
        histograms.set(key, h);
      }
      const slot = parts[3] ?? '';
      if (slot === 'sum') h.sum = value;
      else if (slot === 'count') h.count = value;
      else if (slot.startsWith('b')) {
        const i = Number(slot.slice(1));
        if (Number.isInteger(i) && i >= 0 && i < h.bucketCounts.length) h.bucketCounts[i] = value;
      }
    }
  }
  return { counters, histograms: [...histograms.values()] };
}

/**
 * Queue wait and processing time of one finished job (called by every worker), added to the
 * same fleet-wide hash. Not deduplicated: a job that runs twice did wait and work twice.
 */
export async function recordJobTiming(redis: Redis, prefix: string, queue: string, waitMs: number, processingMs: number): Promise<void> {
  const fields = observationFields([
    { name: 'steward_job_wait_seconds', labels: { queue }, value: Math.max(0, waitMs) / 1000 },
    { name: 'steward_job_processing_seconds', labels: { queue }, value: Math.max(0, processingMs) / 1000 },
  ]);
  const m = redis.multi();
  for (const [f, v] of fields) m.hincrbyfloat(metricsKey(prefix), f, v);
  await m.exec();
}
