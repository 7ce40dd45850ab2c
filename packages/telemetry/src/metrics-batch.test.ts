import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { metricsKey, recordEventMetrics, recordEventsMetrics } from './metrics-store.ts';
import { JobTimingBuffer } from './job-timing-buffer.ts';
import { sampleQuery } from './sample-events.ts';

const url = inject('redisUrl');
const one = uniquePrefix('metrics-one');
const batched = uniquePrefix('metrics-batch');
const jobs = uniquePrefix('metrics-jobs');
let redis: Redis;

beforeAll(() => {
  redis = new Redis(url, { maxRetriesPerRequest: 3 });
});
afterAll(async () => {
  for (const p of [one, batched, jobs]) await deletePrefix(url, p);
  redis.disconnect();
});

describe('batched metrics writes', () => {
  it('a batch adds exactly what the same events add one by one, and counts each event once', async () => {
    // Two queries whose events share series (the sums per field are added in the script).
    const a = sampleQuery({ queryId: 'qa', t0: 1_000 });
    const b = sampleQuery({ queryId: 'qb', t0: 5_000, outcome: 'fallback', reason: 'loop_detected' });
    const events = [...a.events, ...b.events];
    for (const e of events) expect(await recordEventMetrics(redis, one, e)).toBe(true);

    // The same event twice in one batch, and a batch redelivered: counted once.
    const first = await recordEventsMetrics(redis, batched, [...a.events, a.events[0]!]);
    expect(first).toEqual([...a.events.map(() => true), false]);
    expect(await recordEventsMetrics(redis, batched, [...a.events, ...b.events])).toEqual([...a.events.map(() => false), ...b.events.map(() => true)]);

    const x = await redis.hgetall(metricsKey(one));
    const y = await redis.hgetall(metricsKey(batched));
    expect(Object.keys(y).sort()).toEqual(Object.keys(x).sort());
    expect(Object.keys(x).length).toBeGreaterThan(20);
    // Integer counts are identical; fractional sums agree to the last digits of a double.
    for (const [f, v] of Object.entries(x)) {
      if (Number.isInteger(Number(v))) expect(y[f]).toBe(v);
      else expect(Number(y[f])).toBeCloseTo(Number(v), 12);
    }
    expect(await recordEventsMetrics(redis, batched, [])).toEqual([]);
  });

  it('a field touched only by an event counted before is not incremented, and shared fields sum only counted events', async () => {
    const p = uniquePrefix('metrics-dict');
    try {
      const ev = (id: string, channel: string) => ({ id, type: 'query.accepted' as const, ts: 1, data: { channel, language: 'en' } });
      // 'web' is counted once by the first call; the second batch redelivers it beside two fresh
      // 'api' events: each field goes to the script once, web's is not touched again.
      expect(await recordEventsMetrics(redis, p, [ev('e1', 'web')])).toEqual([true]);
      expect(await recordEventsMetrics(redis, p, [ev('e1', 'web'), ev('e2', 'api'), ev('e3', 'api')])).toEqual([false, true, true]);
      const h = await redis.hgetall(metricsKey(p));
      expect(h).toEqual({
        'c|steward_queries_accepted_total|channel=web': '1',
        'c|steward_queries_accepted_total|channel=api': '2',
      });
      // Without guards every event counts, also the same event twice.
      expect(await recordEventsMetrics(redis, p, [ev('e1', 'web'), ev('e1', 'web')], { dedupe: false })).toEqual([true, true]);
      expect(await redis.hget(metricsKey(p), 'c|steward_queries_accepted_total|channel=web')).toBe('3');
    } finally {
      await deletePrefix(url, p);
    }
  });

  it('job timings are summed in the process and written on flush', async () => {
    const buf = new JobTimingBuffer(redis, jobs, 60_000);
    for (let i = 0; i < 10; i++) buf.add('tools', 30 + i, 200);
    buf.add('reasoning', -5, 7_000);
    expect(await redis.hlen(metricsKey(jobs))).toBe(0);
    await buf.flush();
    const h = await redis.hgetall(metricsKey(jobs));
    expect(Number(h['h|steward_job_wait_seconds|queue=tools|count'])).toBe(10);
    expect(Number(h['h|steward_job_wait_seconds|queue=tools|sum'])).toBeCloseTo(0.345, 12);
    expect(Number(h['h|steward_job_processing_seconds|queue=tools|count'])).toBe(10);
    expect(Number(h['h|steward_job_wait_seconds|queue=reasoning|sum'])).toBe(0);
    expect(Number(h['h|steward_job_processing_seconds|queue=reasoning|sum'])).toBe(7);
    // Nothing pending: a second flush writes nothing.
    await buf.flush();
    expect(Number((await redis.hgetall(metricsKey(jobs)))['h|steward_job_wait_seconds|queue=tools|count'])).toBe(10);
  });
});
