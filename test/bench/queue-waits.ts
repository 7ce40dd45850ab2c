// Fleet-wide Prometheus histograms over a benchmark window: the difference of two scrapes of
// /metrics, with p50/p99 read from the cumulative buckets (upper bound of the bucket that holds
// the rank). Queue wait per queue (steward_job_wait_seconds, every worker records it) and the
// ingress's own ack time (steward_ingress_ack_seconds, by outcome).
export type Scrape = Map<string, number>;

const SCRAPED = ['steward_job_wait_seconds', 'steward_ingress_ack_seconds'];

export async function scrapeMetrics(baseUrl: string, token?: string): Promise<Scrape> {
  const res = await fetch(`${baseUrl}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const out: Scrape = new Map();
  for (const line of (await res.text()).split('\n')) {
    if (!SCRAPED.some((name) => line.startsWith(name))) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

export interface HistogramWindow {
  count: number;
  mean_ms: number;
  p50_ms_le: number | null;
  p99_ms_le: number | null;
}

export interface QueueWait extends Omit<HistogramWindow, 'count'> {
  jobs: number;
}

/** One series (`name{label="value"}`) of a histogram, between two scrapes; undefined when nothing was observed. */
export function histogramWindow(before: Scrape, after: Scrape, name: string, label: string, value: string): HistogramWindow | undefined {
  const delta = (k: string): number => (after.get(k) ?? 0) - (before.get(k) ?? 0);
  const sel = `${label}="${value}"`;
  const count = delta(`${name}_count{${sel}}`);
  if (count <= 0) return undefined;
  const sum = delta(`${name}_sum{${sel}}`);
  const prefix = `${name}_bucket{${sel},le="`;
  const buckets = [...after.keys()]
    .filter((k) => k.startsWith(prefix))
    .map((k) => {
      const le = k.slice(prefix.length, -2);
      return { le: le === '+Inf' ? Infinity : Number(le), n: delta(k) };
    })
    .sort((a, b) => a.le - b.le);
  const at = (p: number): number | null => {
    const b = buckets.find((x) => x.n >= (p / 100) * count);
    return b === undefined || b.le === Infinity ? null : Math.round(b.le * 1000);
  };
  return { count, mean_ms: Math.round((sum / count) * 1000 * 10) / 10, p50_ms_le: at(50), p99_ms_le: at(99) };
}

export function queueWaits(before: Scrape, after: Scrape): Record<string, QueueWait> {
  const queues = new Set<string>();
  for (const k of after.keys()) {
    const m = /^steward_job_wait_seconds.*queue="([^"]+)"/.exec(k);
    if (m) queues.add(m[1]!);
  }
  const out: Record<string, QueueWait> = {};
  for (const q of queues) {
    const w = histogramWindow(before, after, 'steward_job_wait_seconds', 'queue', q);
    if (w) out[q] = { jobs: w.count, mean_ms: w.mean_ms, p50_ms_le: w.p50_ms_le, p99_ms_le: w.p99_ms_le };
  }
  return out;
}

/** The ingress's own time to answer the accepted messages (202), as it measured them. */
export function ackServer(before: Scrape, after: Scrape): HistogramWindow | null {
  return histogramWindow(before, after, 'steward_ingress_ack_seconds', 'outcome', 'accepted') ?? null;
}
