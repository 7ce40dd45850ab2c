import { describe, expect, it } from 'vitest';
import { ackServer, histogramWindow, queueWaits, type Scrape } from './queue-waits.ts';

// Two scrapes of cumulative Prometheus buckets: the window's quantiles come from the differences.
const scrape = (lines: Record<string, number>): Scrape => new Map(Object.entries(lines));

describe('histogram windows between two scrapes', () => {
  const before = scrape({
    'steward_ingress_ack_seconds_bucket{outcome="accepted",le="0.005"}': 10,
    'steward_ingress_ack_seconds_bucket{outcome="accepted",le="0.05"}': 10,
    'steward_ingress_ack_seconds_bucket{outcome="accepted",le="+Inf"}': 10,
    'steward_ingress_ack_seconds_sum{outcome="accepted"}': 0.02,
    'steward_ingress_ack_seconds_count{outcome="accepted"}': 10,
  });
  const after = scrape({
    'steward_ingress_ack_seconds_bucket{outcome="accepted",le="0.005"}': 107,
    'steward_ingress_ack_seconds_bucket{outcome="accepted",le="0.05"}': 108,
    'steward_ingress_ack_seconds_bucket{outcome="accepted",le="+Inf"}': 110,
    'steward_ingress_ack_seconds_sum{outcome="accepted"}': 1.02,
    'steward_ingress_ack_seconds_count{outcome="accepted"}': 110,
    'steward_job_wait_seconds_bucket{queue="tools",le="0.001"}': 4,
    'steward_job_wait_seconds_bucket{queue="tools",le="+Inf"}': 4,
    'steward_job_wait_seconds_sum{queue="tools"}': 0.002,
    'steward_job_wait_seconds_count{queue="tools"}': 4,
  });

  it('reads p50 and p99 as the upper bound of the bucket that holds the rank, in the window only', () => {
    // 100 acks in the window: 97 within 5 ms, one more within 50 ms, two above: p99 is in the +Inf bucket.
    expect(ackServer(before, after)).toEqual({ count: 100, mean_ms: 10, p50_ms_le: 5, p99_ms_le: null });
    expect(histogramWindow(before, after, 'steward_ingress_ack_seconds', 'outcome', 'refused')).toBeUndefined();
    // One ack fewer above 50 ms and p99 is that bucket's bound.
    const fewer = new Map(after).set('steward_ingress_ack_seconds_bucket{outcome="accepted",le="0.05"}', 109);
    expect(ackServer(before, fewer)?.p99_ms_le).toBe(50);
  });

  it('keeps the queue waits apart from the other histograms scraped beside them', () => {
    expect(queueWaits(before, after)).toEqual({ tools: { jobs: 4, mean_ms: 0.5, p50_ms_le: 1, p99_ms_le: 1 } });
  });
});
