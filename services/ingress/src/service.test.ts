import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startIngress, type RunningIngress } from './service.ts';
import { debugTraceOf, renderMetrics } from './observability.ts';

// The ingress over real HTTP and a real Redis: authentication, validation errors, ops routes.
const url = inject('redisUrl');
const prefix = uniquePrefix('ingress');
const silent = { info() {}, warn() {}, error() {} };
let ing: RunningIngress;

beforeAll(async () => {
  ing = await startIngress({
    redisUrl: url,
    prefix,
    port: await freePort(),
    host: '127.0.0.1',
    apiKeys: 'old-key,new-key,slack=slack-only,web=web-key,operator=operator-key',
    adminToken: 'admin-secret',
    log: silent,
    debugTrace: (e) => debugTraceOf(e),
    metrics: (ctx) => renderMetrics(ctx.redis, prefix, ctx.queues),
  });
});
afterAll(async () => {
  await ing.close();
  await deletePrefix(url, prefix);
});

const post = (body: unknown, key = 'new-key', raw?: string) =>
  fetch(`${ing.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: raw ?? JSON.stringify(body),
  });

describe('ingress HTTP API', () => {
  it('accepts a message with either of two rotating keys', async () => {
    for (const key of ['old-key', 'new-key']) {
      const r = await post({ text: 'hello', customerId: 'u_1' }, key);
      expect(r.status).toBe(202);
      expect(await r.json()).toMatchObject({ status: 'queued' });
    }
  });

  it('refuses a missing or wrong key with 401 and a stable code', async () => {
    const r = await post({ text: 'hello' }, 'nope');
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ error: { code: 'unauthorized', message: 'missing or invalid API key' } });
  });

  it('refuses a key bound to another channel', async () => {
    expect((await post({ text: 'hi', channel: 'api' }, 'slack-only')).status).toBe(403);
  });

  it('posts a bound key on its own channel when the body names none', async () => {
    const r = await post({ text: 'hi' }, 'web-key');
    expect(r.status).toBe(202);
    const { queryId } = (await r.json()) as { queryId: string };
    const view = await fetch(`${ing.url}/v1/queries/${queryId}`, { headers: { authorization: 'Bearer web-key' } });
    expect(view.status).toBe(200);
  });

  it("scopes reads to the key's principal: rotated keys share, others get 404, operators read all", async () => {
    const r = await post({ text: 'mine' }, 'old-key');
    const { queryId } = (await r.json()) as { queryId: string };
    const read = (key: string) => fetch(`${ing.url}/v1/queries/${queryId}`, { headers: { authorization: `Bearer ${key}` } }).then((x) => x.status);
    expect(await read('new-key')).toBe(200);
    expect(await read('web-key')).toBe(404);
    expect(await read('slack-only')).toBe(404);
    expect(await read('operator-key')).toBe(200);
    expect(await read('admin-secret')).toBe(200);
  });

  it('lets operator credentials read but not post', async () => {
    for (const key of ['operator-key', 'admin-secret']) {
      const r = await post({ text: 'hi' }, key);
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('operator_cannot_post');
    }
    const handoffs = await fetch(`${ing.url}/v1/handoffs`, { headers: { authorization: 'Bearer operator-key' } });
    expect(handoffs.status).toBe(200);
    expect((await fetch(`${ing.url}/v1/handoffs`, { headers: { authorization: 'Bearer new-key' } })).status).toBe(401);
  });

  it('answers 400 with field errors for an invalid body, and for bad JSON', async () => {
    const r = await post({ text: '', extra: 1 });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { code: string; details: { field: string }[] } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details.map((d) => d.field).sort()).toEqual(['(body)', 'text']);
    const bad = await post(null, 'new-key', '{"text": "unterminated');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
  });

  it('serves health, readiness and Prometheus metrics with queue gauges', async () => {
    expect((await fetch(`${ing.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${ing.url}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${ing.url}/metrics`)).text();
    expect(text).toMatch(/^steward_queue_jobs\{queue="reasoning",state="waiting"\} \d+$/m);
  });

  it('mounts bull-board behind the admin credential', async () => {
    const anon = await fetch(`${ing.url}/admin/queues`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/Basic/);
    const basic = Buffer.from('ops:admin-secret').toString('base64');
    const ok = await fetch(`${ing.url}/admin/queues`, { headers: { authorization: `Basic ${basic}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/<html/i);
  });

  it('answers 404 JSON for an unknown query and route', async () => {
    const q = await fetch(`${ing.url}/v1/queries/q_unknown`, { headers: { authorization: 'Bearer new-key' } });
    expect(q.status).toBe(404);
    expect(((await q.json()) as { error: { code: string } }).error.code).toBe('query_not_found');
    expect((await fetch(`${ing.url}/nope`)).status).toBe(404);
  });
});
