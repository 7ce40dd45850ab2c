// Prometheus text exposition format 0.0.4 of a metrics snapshot plus the BullMQ queue gauges.
import { METRICS, QUEUE_STATES, type MetricName } from './metric-defs.ts';
import type { CounterSample, HistogramSample, MetricsSnapshot } from './metrics-store.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelSet(labels: Record<string, string>, extra?: [string, string]): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

function num(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  // Float sums accumulated by HINCRBYFLOAT carry binary noise; 12 significant digits is plenty.
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>): boolean =>
  labelSet(a) === labelSet(b);

/**
 * Render every known metric (HELP and TYPE even without samples) and the per-queue gauges
 * `steward_queue_jobs{queue,state}` from `queueCounts` (queue → state → count).
 */
export function renderPrometheus(
  snapshot: MetricsSnapshot,
  queueCounts: Record<string, Record<string, number>> = {},
): string {
  const lines: string[] = [];
  for (const name of Object.keys(METRICS) as MetricName[]) {
    const def = METRICS[name];
    lines.push(`# HELP ${name} ${escapeHelp(def.help)}`, `# TYPE ${name} ${def.type}`);
    if (def.type === 'counter') {
      const samples: CounterSample[] = snapshot.counters.filter((c) => c.name === name);
      for (const z of 'zeroSeries' in def ? def.zeroSeries : []) {
        if (!samples.some((s) => sameLabels(s.labels, z))) samples.push({ name, labels: z, value: 0 });
      }
      samples.sort((a, b) => labelSet(a.labels).localeCompare(labelSet(b.labels)));
      for (const s of samples) lines.push(`${name}${labelSet(s.labels)} ${num(s.value)}`);
    } else if (def.type === 'histogram') {
      const bounds: readonly number[] = 'buckets' in def ? def.buckets : [];
      const samples: HistogramSample[] = snapshot.histograms.filter((h) => h.name === name);
      samples.sort((a, b) => labelSet(a.labels).localeCompare(labelSet(b.labels)));
      for (const h of samples) {
        let cumulative = 0;
        bounds.forEach((b, i) => {
          cumulative += h.bucketCounts[i] ?? 0;
          lines.push(`${name}_bucket${labelSet(h.labels, ['le', num(b)])} ${num(cumulative)}`);
        });
        lines.push(`${name}_bucket${labelSet(h.labels, ['le', '+Inf'])} ${num(h.count)}`);
        lines.push(`${name}_sum${labelSet(h.labels)} ${num(h.sum)}`);
        lines.push(`${name}_count${labelSet(h.labels)} ${num(h.count)}`);
      }
    } else if (name === 'steward_queue_jobs') {
      for (const queue of Object.keys(queueCounts).sort()) {
        const counts = queueCounts[queue] ?? {};
        const states = [...new Set([...QUEUE_STATES, ...Object.keys(counts)])];
        for (const state of states) {
          lines.push(`${name}${labelSet({ queue, state })} ${num(counts[state] ?? 0)}`);
        }
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
