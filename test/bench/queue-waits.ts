// Queue wait per queue over a benchmark window, from the fleet-wide Prometheus histogram that
// every worker records (steward_job_wait_seconds): the difference of two scrapes of /metrics,
// with p50/p99 read from the cumulative buckets (upper bound of the bucket that holds the rank).
export type Scrape = Map<string, number>;

export async function scrapeMetrics(baseUrl: string, token?: string): Promise<Scrape> {
  const res = await fetch(`${baseUrl}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const out: Scrape = new Map();
  for (const line of (await res.text()).split('\n')) {
    if (!line.startsWith('steward_job_wait_seconds')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

export interface QueueWait {
  jobs: number;
  mean_ms: number;
  p50_ms_le: number | null;
  p99_ms_le: number | null;
}

export function queueWaits(before: Scrape, after: Scrape): Record<string, QueueWait> {
  const delta = (k: string): number => (after.get(k) ?? 0) - (before.get(k) ?? 0);
  const queues = new Set<string>();
  for (const k of after.keys()) {
    const m = /queue="([^"]+)"/.exec(k);
    if (m) queues.add(m[1]!);
  }
  const out: Record<string, QueueWait> = {};
  for (const q of queues) {
    const count = delta(`steward_job_wait_seconds_count{queue="${q}"}`);
    if (count <= 0) continue;
    const sum = delta(`steward_job_wait_seconds_sum{queue="${q}"}`);
    const buckets = [...after.keys()]
      .map((k) => new RegExp(`^steward_job_wait_seconds_bucket\\{queue="${q}",le="([^"]+)"\\}$`).exec(k))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), n: delta(m[0]) }))
      .sort((a, b) => a.le - b.le);
    const at = (p: number): number | null => {
      const b = buckets.find((x) => x.n >= (p / 100) * count);
      return b === undefined || b.le === Infinity ? null : Math.round(b.le * 1000);
    };
    out[q] = { jobs: count, mean_ms: Math.round((sum / count) * 1000 * 10) / 10, p50_ms_le: at(50), p99_ms_le: at(99) };
  }
  return out;
}
