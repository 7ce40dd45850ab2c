// Finding 8 (event streams): SSE connections are capped per principal (API key) and have a
// lifetime, so one key cannot hold an unbounded number of sockets open forever.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startIngress, type RunningIngress } from '@steward/ingress';

const url = inject('redisUrl');
const prefix = uniquePrefix('sec-sse');
const silent = { info() {}, warn() {}, error() {} };
let ingress: RunningIngress;
let queryId = '';
const open: AbortController[] = [];

beforeAll(async () => {
  ingress = await startIngress({
    redisUrl: url,
    prefix,
    port: await freePort(),
    host: '127.0.0.1',
    apiKeys: 'key-a,key-b',
    log: silent,
    debugTrace: (events) => ({ events }),
    metrics: async () => '',
    streams: { maxPerPrincipal: 2, maxLifetimeMs: 1_500 },
  });
  const res = await fetch(`${ingress.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer key-a' },
    body: JSON.stringify({ text: 'hello' }),
  });
  queryId = ((await res.json()) as { queryId: string }).queryId;
});
afterAll(async () => {
  for (const c of open) c.abort();
  await ingress?.close();
  await deletePrefix(url, prefix);
});

async function stream(key: string): Promise<{ status: number; ended: Promise<number> }> {
  const c = new AbortController();
  open.push(c);
  const res = await fetch(`${ingress.url}/v1/queries/${queryId}/events?key=${key}`, { signal: c.signal });
  const t0 = Date.now();
  const ended = (async () => {
    if (!res.body) return 0;
    const reader = res.body.getReader();
    try {
      while (!(await reader.read()).done);
    } catch {
      // aborted by the test
    }
    return Date.now() - t0;
  })();
  return { status: res.status, ended };
}

describe('event stream caps (finding 8)', () => {
  it('refuses a third concurrent stream of one key with 429, not another key', async () => {
    const a1 = await stream('key-a');
    const a2 = await stream('key-a');
    expect([a1.status, a2.status]).toEqual([200, 200]);
    const a3 = await stream('key-a');
    expect(a3.status).toBe(429);
    const b1 = await stream('key-b');
    expect(b1.status).toBe(200);

    // Every stream ends at its lifetime even though the query never completes; slots come back.
    const lifetimes = await Promise.all([a1.ended, a2.ended, b1.ended]);
    for (const ms of lifetimes) {
      expect(ms).toBeGreaterThanOrEqual(1_000);
      expect(ms).toBeLessThan(10_000);
    }
    const again = await stream('key-a');
    expect(again.status).toBe(200);
  });
});
