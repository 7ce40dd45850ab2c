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
//
// One call per batch of events: KEYS = metrics hash, then one guard key per event; ARGV = guard TTL
// ('0': no guard), the number F of distinct fields of the batch, those F field names, then per
// event its increment count n and n field-index/increment pairs (indexes 1..F). A field is sent
// once per batch, not once per event that touches it: a query's events repeat the same few series
// and a field name is ~60–110 bytes, so this cut the bytes the tracer sends per query about
// threefold (4.6 → 1.4 KB in scripts/redis-trips.ts) and the arguments Redis parses with them. An event whose guard already exists adds
// nothing. The increments of the counted events are summed per field in the script, so a batch
// costs one HINCRBYFLOAT per distinct field touched by a counted event instead of one per counter
// and three per histogram observation. Sums are doubles and are sent back with 17 significant
// digits, so an integer count stays exact and a fractional sum is the same double Redis would have
// reached up to rounding order. Returns one 0/1 per event. Guard SET and increments run in one
// script: a crash never counts half an event.
const RECORD_BATCH_LUA = `
local ttl = ARGV[1]
local nf = tonumber(ARGV[2])
local sums, counted = {}, {}
local a = 3 + nf
for k = 2, #KEYS do
  local n = tonumber(ARGV[a])
  a = a + 1
  local fresh = ttl == '0' or redis.call('SET', KEYS[k], '1', 'NX', 'EX', ttl)
  counted[k - 1] = fresh and 1 or 0
  if fresh then
    for i = a, a + 2 * n - 1, 2 do
      local f = tonumber(ARGV[i])
      sums[f] = (sums[f] or 0) + tonumber(ARGV[i + 1])
    end
  end
  a = a + 2 * n
end
for f = 1, nf do
  if sums[f] ~= nil then
    redis.call('HINCRBYFLOAT', KEYS[1], ARGV[2 + f], string.format('%.17g', sums[f]))
  end
end
return counted`;

// Characters that would break the field layout; tested first because most values have none.
const LABEL_UNSAFE = /[|,=\n]/;
const LABEL_UNSAFE_ALL = /[|,=\n]/g;

function labelString(labels: Record<string, string>): string {
  const ks = Object.keys(labels);
  if (ks.length > 1) ks.sort();
  let s = '';
  for (let i = 0; i < ks.length; i++) {
    const k = ks[i]!;
    const v = labels[k]!;
    s += `${i ? ',' : ''}${k}=${LABEL_UNSAFE.test(v) ? v.replace(LABEL_UNSAFE_ALL, '_') : v}`;
  }
  return s;
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
  const [counted] = await recordEventsMetrics(redis, prefix, [event], opts);
  return counted ?? false;
}

/**
 * A batch of events in one script call (see RECORD_BATCH_LUA): each event counts at most once
 * within its guard's TTL, as with recordEventMetrics. Returns whether each event counted, in order.
 */
export async function recordEventsMetrics(
  redis: Redis,
  prefix: string,
  events: readonly StewardEvent[],
  opts: { dedupe?: boolean; guardTtlSec?: number } = {},
): Promise<boolean[]> {
  const ttl = opts.dedupe === false ? 0 : (opts.guardTtlSec ?? DEFAULTS.dedupeTtlSec);
  const keys = [metricsKey(prefix)];
  // Distinct fields of the batch (index = position + 1 in the script's ARGV) and, per event, its
  // field-index/increment pairs (see RECORD_BATCH_LUA).
  const index = new Map<string, number>();
  const perEvent: Array<string | number> = [];
  for (const e of events) {
    const fields = observationFields(eventObservations(e));
    keys.push(metricsGuardKey(prefix, e.id));
    perEvent.push(fields.length);
    for (const [f, v] of fields) {
      let i = index.get(f);
      if (i === undefined) index.set(f, (i = index.size + 1));
      perEvent.push(i, v);
    }
  }
  // Without guards and without increments the call would change nothing.
  if (events.length === 0 || (index.size === 0 && ttl === 0)) return events.map(() => false);
  const argv: Array<string | number> = [ttl, index.size, ...index.keys(), ...perEvent];
  const r = (await redis.eval(RECORD_BATCH_LUA, keys.length, ...keys, ...argv)) as number[];
  return r.map((x) => x === 1);
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
