import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { e2eData } from '../helpers/e2e-data.ts';
import { HAS_CHROMIUM, type Page } from '@steward/channels/testing';
import { openBrowser, saveScreenshot, type WatchedBrowser } from '../helpers/browser-pages.ts';
import { channels, startTestIngress } from './harness.ts';

// The web chat in headless Chromium against the whole system (every service in one process,
// the shop on the τ-bench data when present, the offline sim-llm model).
const url = inject('redisUrl');
const DEMO_KEY = 'web-chat-demo-key';
const data = e2eData();
const order = data.statusOrder;
if (!HAS_CHROMIUM) process.stderr.write('[steward tests] /usr/bin/chromium is absent (apt-get install -y chromium): the web chat browser test is skipped\n');

describe('web chat routes', () => {
  it('serves the page with a strict CSP, and no key unless the ingress runs in demo mode', async () => {
    const prefix = uniquePrefix('chat-off');
    const t = await startTestIngress(url, prefix, { plugins: [channels.webChat({})] });
    try {
      const page = await fetch(`${t.url}/chat`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('/chat/chat.js');
      const cfg = await fetch(`${t.url}/chat/config`);
      expect(cfg.status).toBe(404);
      expect(((await cfg.json()) as { error: { code: string } }).error.code).toBe('demo_disabled');
    } finally {
      await t.close();
      await deletePrefix(url, prefix);
    }
  });
});

describe.skipIf(!HAS_CHROMIUM)('web chat in headless Chromium', () => {
  const prefix = uniquePrefix('chat');
  let sys: RunningSystem;
  let browser: WatchedBrowser;
  let page: Page;

  beforeAll(async () => {
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      // The demo key may only post as the `web` channel.
      apiKeys: `web=${DEMO_KEY}`,
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
      tracer: false,
      // Answers stream; sim-llm writes a piece every 40 ms so a partial answer is there to see.
      stream: true,
      simLlm: { chunkDelayMs: 40 },
      ingressPlugins: [
        channels.hardenInput(),
        channels.webChat({
          demoKey: DEMO_KEY,
          customers: [data.customer, data.foreignOwner],
          examples: { en: [`What is the status of my order ${order.id}?`], zh: [`我的订单 ${order.id} 现在是什么状态？`] },
        }),
      ],
    });
    browser = await openBrowser();
    page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await sys?.close();
    await deletePrefix(url, prefix);
  });

  async function ask(text: string): Promise<string> {
    const before = await page.locator('.msg.assistant[data-state="done"]').count();
    await page.fill('#text', text);
    await page.click('#send');
    const answer = page.locator('.msg.assistant[data-state="done"]').nth(before);
    await answer.waitFor({ timeout: 30_000 });
    return (await answer.locator('.answer').textContent()) ?? '';
  }

  it('answers an English question with the order status, streaming the steps over SSE', async () => {
    await page.goto(`${sys.url}/chat`);
    await page.waitForSelector('body[data-ready="true"]');
    // The page names no customer: the browser holds a public key and starts unverified.
    expect(await page.locator('#customer').count()).toBe(0);
    expect(await page.locator('#unverified').textContent()).toContain('unverified');
    const answer = await ask(`My email is ${data.customerEmail}. What is the status of my order ${order.id}?`);
    expect(answer).toContain(order.id);
    expect(answer).toMatch(new RegExp(order.status, 'i'));
    // The steps arrived as events while the query ran: at least the model call and one tool.
    const steps = await page.locator('.msg.assistant').last().locator('.steps li').allTextContents();
    expect(steps.some((s) => s.startsWith('tool:'))).toBe(true);
    expect(steps.some((s) => s.startsWith('model call'))).toBe(true);
    // The offline model is presented as what it is.
    expect(await page.locator('#model-note').textContent()).toContain('test double');
  });

  it('shows the answer while the model is still writing it, then the committed answer', async () => {
    const before = await page.locator('.msg.assistant').count();
    await page.fill('#text', `What is the status of my order ${order.id}?`);
    await page.click('#send');
    const bubble = page.locator('.msg.assistant').nth(before);
    // The first turn calls a tool (text written beside a tool call is withdrawn when the call
    // arrives); wait for the answering turn's draft to be a few pieces long, then catch it mid-way.
    // Runs in the page (the CSP forbids eval, so a function, not a string); typed by hand
    // because the tests compile without the DOM library.
    await page.waitForFunction(
      (i: number) => {
        interface El {
          textContent: string | null;
          getAttribute(name: string): string | null;
          querySelector(sel: string): El | null;
          querySelectorAll(sel: string): ArrayLike<El>;
        }
        const doc = (globalThis as unknown as { document: El }).document;
        const div = doc.querySelectorAll('.msg.assistant')[i];
        if (!div) return false;
        const toolDone = Array.from(div.querySelectorAll('.steps li')).some((li) => li.textContent?.startsWith('tool:'));
        return toolDone && div.getAttribute('data-state') === 'streaming' && (div.querySelector('.answer')?.textContent?.length ?? 0) > 20;
      },
      before,
      { timeout: 30_000, polling: 10 },
    );
    const partial = (await bubble.locator('.answer').textContent()) ?? '';
    const stateThen = await bubble.getAttribute('data-state');
    await saveScreenshot(page, 'web-chat-streaming.png');
    await bubble.locator('xpath=self::*[@data-state="done"]').waitFor({ timeout: 30_000 });
    const final = (await bubble.locator('.answer').textContent()) ?? '';
    expect(stateThen).toBe('streaming');
    expect(partial.length).toBeGreaterThan(20);
    expect(partial.length).toBeLessThan(final.length);
    // The draft was the beginning of the very answer the pipeline committed: no thought, no tool call text.
    expect(final.startsWith(partial)).toBe(true);
    expect(final).toContain(order.id);
  });

  it('answers in Chinese when asked in Chinese', async () => {
    await page.selectOption('#language', 'zh');
    expect(await page.locator('#send').textContent()).toBe('发送');
    const answer = await ask(`我的订单 ${order.id} 现在是什么状态？`);
    expect(answer).toMatch(/[\u4e00-\u9fff]/);
    expect(answer).toContain(order.id);
  });

  it('opens the trace of an answer, uses no external resource, logs no error; saves a screenshot', async () => {
    await page.locator('.msg.assistant .trace-link').last().click();
    await page.waitForSelector('#trace-panel[open]');
    const trace = (await page.locator('#trace').textContent()) ?? '';
    expect(trace).toContain('"steps"');
    await saveScreenshot(page, 'web-chat.png');
    expect(browser.requested.filter((u) => !u.startsWith(sys.url))).toEqual([]);
    expect(browser.problems).toEqual([]);
  });
});
