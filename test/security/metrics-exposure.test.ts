// Finding 8 (metrics): /metrics can require a credential, and caller-chosen channel names do not
// become label values — a thousand invented channels through the real API make one series.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKeys, createRedis, readQueryEvents } from '@steward/store';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { recordEventMetrics } from '@steward/telemetry';
import { renderMetrics, startIngress, type RunningIngress } from '@steward/ingress';
import { startTracerHttp } from '@steward/tracer';

const url = inject('redisUrl');
const prefix = uniquePrefix('sec-metrics');
const METRICS_TOKEN = 'scrape-token-0123456789abcdef';
const silent = { info() {}, warn() {}, error() {} };
let ingress: RunningIngress;
const redis = createRedis(url);

// Forty integrations with channel names nobody listed in the metrics (each bound to its own key:
// only a key bound to a channel may post there).
const INVENTED = Array.from({ length: 40 }, (_, i) => `invented-${i}-${Math.random().toString(36).slice(2, 8)}`);

beforeAll(async () => {
  ingress = await startIngress({
    redisUrl: url,
    prefix,
    port: await freePort(),
    host: '127.0.0.1',
    apiKeys: ['metrics-key', ...INVENTED.map((c, i) => `${c}=invented-key-${i}`)].join(','),
    adminToken: 'metrics-admin-token',
    metricsToken: METRICS_TOKEN,
    log: silent,
    debugTrace: (events) => ({ events }),
    metrics: (ctx) => renderMetrics(ctx.redis, prefix, ctx.queues),
  });
});
afterAll(async () => {
  await ingress?.close();
  redis.disconnect();
  await deletePrefix(url, prefix);
});

describe('/metrics (finding 8)', () => {
  it('needs the metrics token (or the admin credential) when one is configured', async () => {
    expect((await fetch(`${ingress.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${ingress.url}/metrics`, { headers: { authorization: 'Bearer metrics-key' } })).status).toBe(401);
    expect((await fetch(`${ingress.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${ingress.url}/metrics`, { headers: { authorization: 'Bearer metrics-admin-token' } })).status).toBe(200);
  });

  it('channel names outside the built-in set collapse into one "other" series', async () => {
    const keys = createKeys(prefix);
    for (const [i, channel] of INVENTED.entries()) {
      const res = await fetch(`${ingress.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer invented-key-${i}` },
        body: JSON.stringify({ text: 'hi', channel }),
      });
      expect(res.status).toBe(202);
      const { queryId } = (await res.json()) as { queryId: string };
      // What the tracer does with the query's events.
      for (const e of await readQueryEvents(redis, keys, queryId)) await recordEventMetrics(redis, prefix, e);
    }
    const text = await (await fetch(`${ingress.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const series = text.split('\n').filter((l) => l.startsWith('steward_queries_accepted_total{'));
    expect(series).toEqual(['steward_queries_accepted_total{channel="other"} 40']);
  });
});

describe("the tracer's /metrics (finding 8)", () => {
  it('takes the same optional credential, and serves the same bounded channel labels', async () => {
    const http = await startTracerHttp({ redis, prefix, port: 0, host: '127.0.0.1', metricsToken: METRICS_TOKEN, adminToken: 'tracer-admin-token' });
    try {
      const scrape = (authorization?: string): Promise<Response> =>
        fetch(`${http.url}/metrics`, authorization ? { headers: { authorization } } : {});
      for (const auth of [undefined, 'Bearer metrics-key', `Bearer ${METRICS_TOKEN}x`, METRICS_TOKEN]) {
        const res = await scrape(auth);
        expect(res.status).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
      expect((await scrape('Bearer tracer-admin-token')).status).toBe(200);
      const text = await (await scrape(`Bearer ${METRICS_TOKEN}`)).text();
      // The forty invented channels of the test above, as the tracer sees the same hash.
      const series = text.split('\n').filter((l) => l.startsWith('steward_queries_accepted_total{'));
      expect(series).toEqual(['steward_queries_accepted_total{channel="other"} 40']);
      expect(text).not.toMatch(/invented-/);
      // Probes need no credential.
      expect((await fetch(`${http.url}/healthz`)).status).toBe(200);
    } finally {
      await http.close();
    }
  });

  it('stays open without a token (a private network scrape)', async () => {
    const http = await startTracerHttp({ redis, prefix, port: 0, host: '127.0.0.1' });
    try {
      expect((await fetch(`${http.url}/metrics`)).status).toBe(200);
    } finally {
      await http.close();
    }
  });
});
