import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startIngress, type RunningIngress } from './service.ts';
import { debugTraceOf, renderMetrics } from './observability.ts';

// The ack time of POST /v1/messages as the ingress measures it, in the fleet-wide histogram
// (steward_ingress_ack_seconds) read back through /metrics: real HTTP, a real Redis.
const url = inject('redisUrl');
const prefix = uniquePrefix('ingress-ack');
const silent = { info() {}, warn() {}, error() {} };
let ing: RunningIngress;

beforeAll(async () => {
  ing = await startIngress({
    redisUrl: url,
    prefix,
    port: await freePort(),
    host: '127.0.0.1',
    apiKeys: 'key-a',
    log: silent,
    debugTrace: (e) => debugTraceOf(e),
    metrics: (ctx) => renderMetrics(ctx.redis, prefix, ctx.queues),
  });
});
afterAll(async () => {
  await ing.close();
  await deletePrefix(url, prefix);
});

const post = (body: unknown, key = 'key-a') =>
  fetch(`${ing.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });

async function scrape(): Promise<Map<string, number>> {
  const text = await (await fetch(`${ing.url}/metrics`)).text();
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('steward_ingress_ack_seconds')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}
const count = (s: Map<string, number>, outcome: string): number => s.get(`steward_ingress_ack_seconds_count{outcome="${outcome}"}`) ?? 0;

it('counts the ack time of each message under its outcome', async () => {
  expect((await post({ text: 'ack one', customerId: 'u_ack' })).status).toBe(202);
  expect((await post({ text: 'ack two', customerId: 'u_ack2' })).status).toBe(202);
  expect((await post({ text: 'no key' }, 'nope')).status).toBe(401);
  expect((await post({ text: '' })).status).toBe(400);
  // The ingress writes its ack times once a second: wait for that write.
  let m = await scrape();
  for (let i = 0; i < 40 && count(m, 'refused') < 2; i++) {
    await new Promise((r) => setTimeout(r, 100));
    m = await scrape();
  }
  expect(count(m, 'accepted')).toBe(2);
  expect(count(m, 'refused')).toBe(2);
  expect(count(m, 'unavailable')).toBe(0);
  // Cumulative buckets: +Inf holds every ack, and each bucket at most the next one's count.
  const buckets = [...m].filter(([k]) => k.startsWith('steward_ingress_ack_seconds_bucket{outcome="accepted"')).map(([, v]) => v);
  expect(buckets.at(-1)).toBe(2);
  for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]!);
  const sum = m.get('steward_ingress_ack_seconds_sum{outcome="accepted"}') ?? 0;
  expect(sum).toBeGreaterThan(0);
  expect(sum).toBeLessThan(10);
});
