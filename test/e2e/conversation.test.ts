import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { IngressClient } from '../helpers/client.ts';
import { e2eData } from '../helpers/e2e-data.ts';

// Conversation-level behaviour through the running system: double texting, authorization
// bound to the verified customer, human handoff.
const url = inject('redisUrl');
const prefix = uniquePrefix('conv');
const KEY = 'conv-test-key';
const ADMIN = 'conv-admin-token';
let sys: RunningSystem;
let api: IngressClient;
const data = e2eData();
const customerId = data.customer;

describe(`conversations (${data.source} data)`, () => {
  beforeAll(async () => {
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      apiKeys: KEY,
      // Many questions of one customer in a few seconds: the per-customer bucket would refuse them
      // (admission has its own tests in test/channels and test/security).
      admit: false,
      adminToken: ADMIN,
      tracer: false,
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
    });
    api = new IngressClient(sys.url, KEY);
  });
  afterAll(async () => {
    await sys?.close();
    await deletePrefix(url, prefix);
  });

  it('queues a second message behind the running one: answers never interleave', async () => {
    const conversationId = `c_double_${Date.now()}`;
    const [a, b] = await Promise.all([
      api.post({ conversationId, customerId, text: `What is the status of my order ${data.statusOrder.id}?` }),
      api.post({ conversationId, customerId, text: `And what about order ${data.secondOrder.id}?` }),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const qa = await api.waitFor(String(a.json.queryId));
    const qb = await api.waitFor(String(b.json.queryId));
    expect([qa.outcome, qb.outcome]).toEqual(['answered', 'answered']);
    // Whichever was accepted second started only after the first had answered.
    const trA = await api.get<{ steps: { kind: string; startMs?: number }[]; totals: unknown }>(`/v1/traces/${qa.queryId}`);
    const trB = await api.get<{ steps: { kind: string; startMs?: number }[] }>(`/v1/traces/${qb.queryId}`);
    const viewA = await api.get<{ completedAt: string }>(`/v1/queries/${qa.queryId}`);
    const viewB = await api.get<{ completedAt: string }>(`/v1/queries/${qb.queryId}`);
    const [first, second, firstView] =
      Date.parse(viewA.json.completedAt) <= Date.parse(viewB.json.completedAt) ? [trA, trB, viewA] : [trB, trA, viewB];
    expect(second.json.steps.length).toBeGreaterThan(0);
    const secondStart = Math.min(...second.json.steps.filter((s) => s.startMs !== undefined).map((s) => s.startMs!));
    expect(first.status).toBe(200);
    expect(secondStart).toBeGreaterThanOrEqual(Date.parse(firstView.json.completedAt));
  });

  it("refuses to show another customer's order and leaks none of their data", async () => {
    const foreign = data.foreignOrder;
    const q = await api.ask({ customerId, text: `What is the status of order ${foreign.id}?` });
    expect(q.status).toBe('completed');
    for (const w of foreign.ownerWords) expect((q.answer ?? '').toLowerCase()).not.toContain(w.toLowerCase());
    expect(q.answer).not.toMatch(new RegExp(foreign.status, 'i'));
    const trace = await api.get<{ steps: { kind: string; action?: string; observation?: string; error?: string }[] }>(`/v1/traces/${q.queryId}`);
    const refused = trace.json.steps.filter((s) => s.kind === 'tool' && /order not found/.test(`${s.observation ?? ''} ${s.error ?? ''}`));
    expect(refused.map((s) => s.action)).toContain('get_order_details');
  });

  it('hands a conversation over to a human: bilingual notice, listed and claimable by ops', async () => {
    const q = await api.ask({ customerId, text: '我要转人工客服' });
    expect(q.outcome).toBe('handoff');
    expect(q.answer).toMatch(/人工客服/);
    const admin = new IngressClient(sys.url, ADMIN);
    let listed: { queryId: string }[] = [];
    for (let i = 0; i < 100 && !listed.some((h) => h.queryId === q.queryId); i++) {
      listed = (await admin.get<{ handoffs: { queryId: string }[] }>('/v1/handoffs')).json.handoffs;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(listed.some((h) => h.queryId === q.queryId)).toBe(true);
    const claim = await fetch(`${sys.url}/v1/handoffs/${q.queryId}/claim`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'mei' }),
    });
    expect(claim.status).toBe(200);
    const again = await fetch(`${sys.url}/v1/handoffs/${q.queryId}/claim`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'li' }),
    });
    expect(again.status).toBe(409);
  });
});
