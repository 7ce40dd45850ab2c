import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { DEFAULTS } from '@steward/core';
import { createKeys, createRedis, HandoffStore } from '@steward/store';
import type { Redis } from 'ioredis';
import { e2eData } from '../helpers/e2e-data.ts';
import { IngressClient } from '../helpers/client.ts';

// What the customer's side of a handed-off conversation receives (the conversation's event
// stream: the person's replies, the SLA notice, claim and hand-back; each once, never a note, only
// for the principal that owns the conversation), and the context an operator gets with the
// handoff (the agent's working memory, summary, transcript, reason, language, trace links).
const url = inject('redisUrl');
const prefix = uniquePrefix('hstream');
const API_KEY = 'hstream-api-key';
const WEB_KEY = 'hstream-web-key';
const ADMIN = 'hstream-admin-token';
const data = e2eData();
let sys: RunningSystem;
let api: IngressClient;
let web: IngressClient;
let redis: Redis;

interface Frame {
  event: string;
  id?: string;
  data: Record<string, unknown>;
}

/** A server-sent event stream read frame by frame (comments skipped). */
async function openStream(path: string, headers: Record<string, string> = {}) {
  const ac = new AbortController();
  const res = await fetch(`${sys.url}${path}`, { signal: ac.signal, headers });
  const frames: Frame[] = [];
  if (res.status !== 200 || !res.body) return { status: res.status, frames, next: () => Promise.reject(new Error('no stream')), close: () => ac.abort() };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  await reader.read(); // `: connected`: the subscription is up
  const next = async (what: string, ms = 15_000): Promise<Frame> => {
    const end = Date.now() + ms;
    for (;;) {
      const cut = buffer.indexOf('\n\n');
      if (cut >= 0) {
        const raw = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const f: Partial<Frame> = {};
        for (const line of raw.split('\n')) {
          if (line.startsWith('event: ')) f.event = line.slice(7);
          else if (line.startsWith('id: ')) f.id = line.slice(4);
          else if (line.startsWith('data: ')) f.data = JSON.parse(line.slice(6)) as Record<string, unknown>;
        }
        if (f.event) {
          frames.push(f as Frame);
          return f as Frame;
        }
        continue;
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), Math.max(1, end - Date.now())));
      const chunk = await Promise.race([reader.read(), timer]);
      if (chunk === 'timeout') throw new Error(`timed out waiting for ${what}`);
      if (chunk.done) throw new Error(`stream ended waiting for ${what}`);
      buffer += decoder.decode(chunk.value);
    }
  };
  return { status: res.status, frames, next, close: () => ac.abort() };
}

async function operator(path: string, body: unknown = {}) {
  const res = await fetch(`${sys.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'x-operator': 'mei', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function handoffOf(queryId: string) {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    const r = await fetch(`${sys.url}/v1/handoffs/${queryId}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    if (r.status === 200) return (await r.json()) as HandoffView;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`no handoff record for ${queryId}`);
}

interface HandoffView {
  handoff: { queryId: string; reason: string; language: string };
  context: {
    reason: string;
    language: string;
    summary: string;
    owner: string;
    customerId: string | null;
    transcript: { role: string; content: string }[];
    memory: {
      customer: { userId: string } | null;
      orders: { orderId: string; status?: string; items: { itemId: string; name?: string }[] }[];
      pending: { tool: string; args: Record<string, unknown> }[];
      done: string[];
    };
    traces: { queryId: string; text: string; trace: string }[];
  };
}

describe(`the customer's side of a handoff (${data.source} data)`, () => {
  beforeAll(async () => {
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      apiKeys: `${API_KEY},web=${WEB_KEY}`,
      adminToken: ADMIN,
      tracer: false,
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
    });
    api = new IngressClient(sys.url, API_KEY);
    web = new IngressClient(sys.url, WEB_KEY);
    redis = createRedis(url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await sys?.close();
    await deletePrefix(url, prefix);
  });

  it('the handoff carries the working memory (customer, orders, the write awaiting a yes), summary, transcript, reason, language and trace links', async () => {
    const conversationId = `c_ctx_${Date.now()}`;
    const customerId = data.customer;
    const status = await api.ask({ conversationId, customerId, text: `What is the status of my order ${data.statusOrder.id}?` });
    expect(status.outcome).toBe('answered');
    const ret = await api.ask({ conversationId, customerId, text: `I want to return the ${data.returnOrder.itemName} from order ${data.returnOrder.id}.` });
    expect(ret.outcome).toBe('answered');
    const human = await api.ask({ conversationId, customerId, text: 'Actually I would rather talk to a human agent' });
    expect(human.outcome).toBe('handoff');

    const view = await handoffOf(human.queryId);
    const c = view.context;
    expect(c.reason).toBe(view.handoff.reason);
    expect(c.language).toBe('en');
    expect(c.owner).toBe('person');
    // Named by the integration, so the agent never had to look the customer up.
    expect(c.customerId).toBe(customerId);
    const orderIds = c.memory.orders.map((o) => o.orderId);
    expect(orderIds).toContain(data.statusOrder.id);
    expect(orderIds).toContain(data.returnOrder.id);
    expect(c.memory.orders.find((o) => o.orderId === data.statusOrder.id)?.status).toBe(data.statusOrder.status);
    // The return the agent proposed and the customer never confirmed: exactly the call that would run.
    expect(c.memory.pending).toHaveLength(1);
    expect(c.memory.pending[0]).toMatchObject({ tool: 'return_delivered_order_items', args: { order_id: data.returnOrder.id } });
    const itemIds = c.memory.orders.find((o) => o.orderId === data.returnOrder.id)!.items.filter((i) => i.name === data.returnOrder.itemName).map((i) => i.itemId);
    expect(c.memory.pending[0]!.args.item_ids).toEqual(itemIds);
    expect(c.transcript.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([
      `What is the status of my order ${data.statusOrder.id}?`,
      `I want to return the ${data.returnOrder.itemName} from order ${data.returnOrder.id}.`,
      'Actually I would rather talk to a human agent',
    ]);
    expect(c.traces.map((t) => t.queryId)).toEqual([status.queryId, ret.queryId, human.queryId]);
    expect(c.traces[1]!.text).toContain(data.returnOrder.id);
    // Every trace link opens for the operator.
    for (const t of c.traces) {
      const r = await fetch(`${sys.url}${t.trace}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(r.status).toBe(200);
    }
  });

  it("streams the person's replies, the SLA notice, claim and hand-back to the conversation's owner only, each once, never a note; resumes after Last-Event-ID", async () => {
    const conversationId = `web-stream-${Date.now()}`;
    const asked = await web.ask({ conversationId, text: 'I need a human agent please', channel: 'web' });
    expect(asked.outcome).toBe('handoff');
    const id = (await handoffOf(asked.queryId)).handoff.queryId;

    // Only the principal that owns the conversation (and operators) may follow it.
    const path = `/v1/conversations/${conversationId}/events`;
    expect((await openStream(path)).status).toBe(401);
    expect((await openStream(`${path}?key=${API_KEY}`)).status).toBe(404);
    expect((await openStream(`/v1/conversations/no-such-${Date.now()}/events?key=${WEB_KEY}`)).status).toBe(404);

    const s = await openStream(`${path}?key=${WEB_KEY}`);
    expect(s.status).toBe(200);
    // Nobody claimed in time: steward tells the customer once (the SLA sweep, run here at once).
    const swept = await new HandoffStore(redis, createKeys(prefix)).sweep({ slaMs: 0, retentionMs: 3_600_000 });
    expect(swept.breached).toContain(id);
    const notice = await s.next('the SLA notice');
    expect(notice).toMatchObject({ event: 'handoff.notice', id: `${id}_sla` });
    expect(String(notice.data.text).length).toBeGreaterThan(0);

    expect((await operator(`/v1/handoffs/${id}/claim`)).status).toBe(200);
    expect(await s.next('the claim')).toMatchObject({ event: 'handoff.state', data: { handoffId: id, state: 'claimed' } });
    expect((await operator(`/v1/handoffs/${id}/notes`, { text: 'internal: VIP, be nice' })).status).toBe(200);
    const r1 = await operator(`/v1/handoffs/${id}/messages`, { text: 'Hi, this is Mei. How can I help?', replyId: 'one' });
    expect((await operator(`/v1/handoffs/${id}/messages`, { text: 'Hi, this is Mei. How can I help?', replyId: 'one' })).json).toMatchObject({ duplicate: true });
    const first = await s.next('the first reply');
    expect(first).toMatchObject({ event: 'handoff.reply', id: r1.json.replyQueryId, data: { text: 'Hi, this is Mei. How can I help?', handoffId: id } });

    // The customer writes meanwhile; the stream has nothing to say about their own message.
    const held = await web.post({ conversationId, text: 'My parcel never arrived', channel: 'web' });
    expect(held.json.status).toBe('held');
    const r2 = await operator(`/v1/handoffs/${id}/messages`, { text: 'I have re-sent it today.' });
    expect(await s.next('the second reply')).toMatchObject({ event: 'handoff.reply', id: r2.json.replyQueryId, data: { text: 'I have re-sent it today.' } });
    expect((await operator(`/v1/handoffs/${id}/hand-back`)).status).toBe(200);
    expect(await s.next('the hand-back')).toMatchObject({ event: 'handoff.state', data: { state: 'returned' } });
    s.close();
    expect(s.frames.map((f) => f.event)).toEqual(['handoff.notice', 'handoff.state', 'handoff.reply', 'handoff.reply', 'handoff.state']);
    expect(JSON.stringify(s.frames)).not.toContain('VIP');

    // A client that saw only the first reply resumes after it: the second, and nothing twice.
    const again = await openStream(`${path}?key=${WEB_KEY}`, { 'last-event-id': String(r1.json.replyQueryId) });
    expect(await again.next('the replayed reply')).toMatchObject({ event: 'handoff.reply', id: r2.json.replyQueryId });
    await new Promise((r) => setTimeout(r, 300));
    again.close();
    expect(again.frames).toHaveLength(1);

    // Handed back: the agent answers again, and the person's replies are in what it sees.
    const next = await web.ask({ conversationId, text: 'Thanks! Is there anything else?', channel: 'web' });
    expect(next.status).toBe('completed');
    expect(next.outcome).not.toBe('handoff');
    const transcript = (await handoffOf(id)).context.transcript;
    expect(transcript.filter((m) => m.role === 'assistant').map((m) => m.content)).toEqual(expect.arrayContaining(['Hi, this is Mei. How can I help?', 'I have re-sent it today.']));

    // An operator takes the conversation over, answers and resolves it: the customer sees each step.
    const later = await openStream(`${path}?key=${WEB_KEY}`);
    const taken = await operator(`/v1/conversations/${conversationId}/handoff`);
    expect(taken.status).toBe(201);
    const takenId = (taken.json.handoff as { queryId: string }).queryId;
    expect(await later.next('the take-over')).toMatchObject({ event: 'handoff.state', data: { handoffId: takenId, state: 'claimed' } });
    const r3 = await operator(`/v1/handoffs/${takenId}/messages`, { text: 'Mei again: I saw your order, all good.' });
    expect(await later.next('the reply after the take-over')).toMatchObject({ event: 'handoff.reply', id: r3.json.replyQueryId, data: { text: 'Mei again: I saw your order, all good.' } });
    expect((await operator(`/v1/handoffs/${takenId}/resolve`)).status).toBe(200);
    expect(await later.next('the resolution')).toMatchObject({ event: 'handoff.state', data: { state: 'resolved' } });
    later.close();
  });

  it("counts a conversation's stream per conversation: every web-chat customer shares the one public key, and more of them than the per-key cap each get theirs", async () => {
    const n = DEFAULTS.ingress.sseMaxPerPrincipal + 1;
    const ids = Array.from({ length: n }, (_, i) => `web-many-${Date.now()}-${i}`);
    for (const conversationId of ids) expect((await web.post({ conversationId, text: 'hello', channel: 'web' })).status).toBe(202);
    const streams = await Promise.all(ids.map((id) => openStream(`/v1/conversations/${id}/events?key=${WEB_KEY}`)));
    for (const st of streams) st.close();
    expect(streams.map((st) => st.status)).toEqual(ids.map(() => 200));
  });
});
