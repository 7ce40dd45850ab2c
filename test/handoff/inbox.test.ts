import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { HAS_CHROMIUM, type Page } from '@steward/channels/testing';
import { createKeys, createRedis, HandoffStore } from '@steward/store';
import type { Redis } from 'ioredis';
import { openBrowser, saveScreenshot, type WatchedBrowser } from '../helpers/browser-pages.ts';
import { e2eData } from '../helpers/e2e-data.ts';
import { IngressClient } from '../helpers/client.ts';

// The operators' inbox against the whole system: its page and live stream over HTTP, then an
// operator in headless Chromium claims a customer's handoff, answers and hands back, and the
// agent answers the customer's next question.
const url = inject('redisUrl');
const prefix = uniquePrefix('inbox');
const KEY = 'inbox-api-key';
const ADMIN = 'inbox-admin-token';
const data = e2eData();
let sys: RunningSystem;
let api: IngressClient;
let redis: Redis;

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function handedOff(conversationId: string): Promise<string> {
  const q = await api.ask({ conversationId, customerId: data.customer, text: 'I need a human agent please' });
  expect(q.outcome).toBe('handoff');
  return until('the handoff record', async () => {
    const r = await fetch(`${sys.url}/v1/handoffs/${q.queryId}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    return r.status === 200 ? q.queryId : null;
  });
}

describe('the inbox', () => {
  beforeAll(async () => {
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      apiKeys: KEY,
      adminToken: ADMIN,
      tracer: false,
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
    });
    api = new IngressClient(sys.url, KEY);
    redis = createRedis(url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await sys?.close();
    await deletePrefix(url, prefix);
  });

  it('serves the page with a strict CSP; the live stream needs the operator key and pushes operator actions', async () => {
    const page = await fetch(`${sys.url}/inbox`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('/inbox/inbox.js');
    expect((await fetch(`${sys.url}/inbox/inbox.js`)).status).toBe(200);
    expect((await fetch(`${sys.url}/v1/handoffs/events?key=${KEY}`)).status).toBe(401);

    const id = await handedOff(`c_sse_${Date.now()}`);
    const ac = new AbortController();
    const res = await fetch(`${sys.url}/v1/handoffs/events?key=${ADMIN}`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let seen = '';
    await reader.read(); // the `: connected` comment: the subscription is up
    const claim = await fetch(`${sys.url}/v1/handoffs/${id}/claim`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'x-operator': 'li', 'content-type': 'application/json' }, body: '{}' });
    expect(claim.status).toBe(200);
    while (!seen.includes('event: handoff.updated')) seen += new TextDecoder().decode((await reader.read()).value);
    expect(seen).toContain(`"handoffId":"${id}"`);
    expect(seen).toContain('"state":"claimed"');
    ac.abort();
  });

  it('lists newest first over HTTP: 250 older handoffs never hide a new one, and the cursor reaches every one', async () => {
    const store = new HandoffStore(redis, createKeys(prefix));
    // Older than the new one, younger than the SLA (the sweeper leaves them alone).
    const base = Date.now() - 60_000;
    const old = Array.from({ length: 250 }, (_, i) => `h_old_${String(i).padStart(3, '0')}`);
    for (const [i, queryId] of old.entries()) {
      await store.create({ queryId, conversationId: `c_old_${i}`, summary: '', reason: 'handoff', traceId: 't', language: 'en' }, { channel: 'telegram' }, base + i);
    }
    const fresh = await handedOff(`c_new_${Date.now()}`);
    const list = async (q: string) => {
      const r = await fetch(`${sys.url}/v1/handoffs?${q}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(r.status).toBe(200);
      return (await r.json()) as { handoffs: { queryId: string }[]; nextCursor: string | null };
    };
    expect((await list('limit=5')).handoffs[0]?.queryId).toBe(fresh);
    expect((await list('state=open&limit=5')).handoffs[0]?.queryId).toBe(fresh);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.handoffs.map((h) => h.queryId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining([fresh, ...old]));
    // Newest first across pages: the oldest record comes last.
    expect(seen.at(-1)).toBe(old[0]);
  });

  describe.skipIf(!HAS_CHROMIUM)('in headless Chromium', () => {
    let browser: WatchedBrowser;
    let page: Page;
    beforeAll(async () => {
      browser = await openBrowser();
      page = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: 'en-US' });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('an operator claims, answers and hands back; the agent answers the next question; saves a screenshot', async () => {
      const conversationId = `c_inbox_${Date.now()}`;
      const id = await handedOff(conversationId);
      // While the handoff waits, the customer's message is held for the person.
      const held = await api.post({ conversationId, customerId: data.customer, text: 'Hello? Is anyone there?' });
      expect(held.json.status).toBe('held');
      // Its event stream ends at once (a client waiting for the agent's answer stops waiting).
      const stream = await (await fetch(`${sys.url}/v1/queries/${String(held.json.queryId)}/events?key=${KEY}`)).text();
      expect(stream).toContain('event: handoff.message');

      await page.goto(`${sys.url}/inbox`);
      await page.fill('#key', ADMIN);
      await page.fill('#name', 'mei');
      await page.click('#login button[type=submit]');
      await page.locator(`#list li[data-id="${id}"]`).click();
      await page.waitForSelector('#d-messages li.customer');
      expect(await page.locator('#d-messages li.customer').first().textContent()).toContain('Is anyone there?');
      await page.click('#claim');
      await page.waitForSelector('#reply [type=submit]:not([disabled])');
      await page.fill('#text', 'Hi, this is Mei from support. Your parcel is on its way.');
      await page.click('#reply [type=submit]');
      await page.waitForSelector('#d-messages li.operator');
      // The reply is the answer of its own query in the conversation (api/web channels read it there).
      const detail = (await (await fetch(`${sys.url}/v1/handoffs/${id}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { messages: { from: string; queryId?: string }[] };
      const reply = detail.messages.find((m) => m.from === 'operator');
      expect((await api.waitFor(reply!.queryId!)).answer).toBe('Hi, this is Mei from support. Your parcel is on its way.');

      await page.click('#lang');
      expect(await page.locator('#handback').textContent()).toBe('交还给智能客服');
      await saveScreenshot(page, 'inbox.png');
      await page.click('#handback');
      await page.waitForSelector('#d-title:has-text("已交还")');

      const next = await api.ask({ conversationId, customerId: data.customer, text: `What is the status of my order ${data.statusOrder.id}?` });
      expect(next.outcome).toBe('answered');
      expect(next.answer).toContain(data.statusOrder.id);
      expect(browser.problems).toEqual([]);
    });
  });
});
