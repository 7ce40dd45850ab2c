import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startSystem, type RunningSystem } from '@steward/system';
import { HAS_CHROMIUM, type Page } from '@steward/channels/testing';
import { openBrowser, saveScreenshot, type WatchedBrowser } from '../helpers/browser-pages.ts';
import { e2eData } from '../helpers/e2e-data.ts';
import { channels } from '../channels/harness.ts';

// Human handoff end to end in two headless Chromium pages against the whole system: a customer
// asks for a person in the web chat; an operator signs in to the inbox with the operator key,
// sees what the agent knew, claims and answers; the answer appears in the customer's web chat
// (once); the operator hands back and the agent answers the customer's next question. In English
// and in Chinese, with screenshots of both pages.
const url = inject('redisUrl');
const prefix = uniquePrefix('handoff_web');
const DEMO_KEY = 'handoff-web-demo-key';
const ADMIN = 'handoff-web-admin-token';
const data = e2eData();
const order = data.statusOrder;

const CASES = [
  {
    lang: 'en' as const,
    identify: `My email is ${data.customerEmail}. What is the status of my order ${order.id}?`,
    human: 'I want to talk to a human agent please',
    reply: 'Hi, this is Mei from support. I have re-sent your parcel today.',
    next: `What is the status of my order ${order.id}?`,
    labels: { person: 'Support agent', held: 'Passed on to the support agent.', claimed: 'A support agent has joined the conversation.', returned: 'You are back with the automated assistant.' },
    inbox: { handback: 'Hand back to the agent', memory: 'What the agent knows' },
  },
  {
    lang: 'zh' as const,
    identify: `我的邮箱是 ${data.customerEmail}。我的订单 ${order.id} 现在是什么状态？`,
    human: '我要转人工客服',
    reply: '您好，我是客服小美。您的包裹今天已经重新寄出。',
    next: `我的订单 ${order.id} 现在是什么状态？`,
    labels: { person: '人工客服', held: '已转给人工客服。', claimed: '人工客服已加入对话。', returned: '您已回到智能客服。' },
    inbox: { handback: '交还给智能客服', memory: '智能客服已知信息' },
  },
];

describe.skipIf(!HAS_CHROMIUM)(`human handoff from the web chat to the inbox and back, in headless Chromium (${data.source} data)`, () => {
  let sys: RunningSystem;
  let browser: WatchedBrowser;
  let customer: Page;
  let inbox: Page;

  beforeAll(async () => {
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      apiKeys: `web=${DEMO_KEY}`,
      adminToken: ADMIN,
      tracer: false,
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
      ingressPlugins: [channels.hardenInput(), channels.webChat({ demoKey: DEMO_KEY })],
      // One customer types eight messages in a few seconds: the admission buckets (tested on
      // their own) would rightly slow that down, which is not what this test is about.
      admit: false,
    });
    browser = await openBrowser();
    customer = await browser.newPage({ viewport: { width: 900, height: 1000 }, locale: 'en-US', who: 'customer', failedResponses: true });
    inbox = await browser.newPage({ viewport: { width: 1200, height: 1000 }, locale: 'en-US', who: 'inbox', failedResponses: true });
    await customer.goto(`${sys.url}/chat`);
    await customer.waitForSelector('body[data-ready="true"]');
    await inbox.goto(`${sys.url}/inbox`);
    await inbox.fill('#key', ADMIN);
    await inbox.fill('#name', 'mei');
    await inbox.click('#login button[type=submit]');
    await inbox.waitForSelector('#app:not([hidden])');
  });
  afterAll(async () => {
    await browser?.close();
    await sys?.close();
    await deletePrefix(url, prefix);
  });

  /** Send a message in the web chat; the bubble it gets once settled (answer or "passed on"). */
  async function say(text: string) {
    const before = await customer.locator('.msg.assistant').count();
    await customer.fill('#text', text);
    await customer.click('#send');
    const bubble = customer.locator('.msg.assistant').nth(before);
    await bubble.locator('xpath=self::*[@data-state="done"]').waitFor({ timeout: 30_000 });
    return { text: (await bubble.locator('.answer').textContent()) ?? '', queryId: (await bubble.getAttribute('data-query-id')) ?? '', held: (await bubble.getAttribute('class'))?.includes('held') ?? false };
  }

  for (const c of CASES) {
    it(`${c.lang}: the operator's answer appears in the customer's web chat once; after the hand-back the agent answers again; saves screenshots`, async () => {
      await customer.click('#new-conversation');
      await customer.selectOption('#language', c.lang);
      if ((await inbox.locator('html').getAttribute('lang')) !== (c.lang === 'zh' ? 'zh-CN' : 'en')) await inbox.click('#lang');

      const first = await say(c.identify);
      expect(first.text).toContain(order.id);
      const asked = await say(c.human);
      expect(asked.held).toBe(false);
      const handoffId = asked.queryId;
      expect(handoffId).toMatch(/^q_/);

      // The handoff arrives in the inbox live; its view shows what the agent knew.
      const query = (await (await fetch(`${sys.url}/v1/queries/${handoffId}`, { headers: { authorization: `Bearer ${DEMO_KEY}` } })).json()) as { conversationId: string };
      await inbox.locator(`#list li[data-id="${handoffId}"]`).click();
      // The previous case's view may still be showing: wait for this conversation's.
      await inbox.waitForSelector(`#d-title:has-text("${query.conversationId}")`);
      expect(await inbox.locator('#d-memory h3').textContent()).toBe(c.inbox.memory);
      expect(await inbox.locator('#m-customer').textContent()).toContain(data.customer);
      expect(await inbox.locator('#m-orders').textContent()).toContain(order.id);
      expect(await inbox.locator('#d-traces a').count()).toBe(2);
      // A trace opens in the page (a plain link could not send the operator key).
      if ((await inbox.locator('#d-traces-box').getAttribute('open')) === null) await inbox.locator('#d-traces-box summary').click();
      await inbox.locator('#d-traces a').first().click();
      await inbox.waitForSelector('#d-trace-view:not([hidden])');
      expect(await inbox.locator('#d-trace-view').textContent()).toContain('"steps"');
      expect(await inbox.locator('#d-transcript').textContent()).toContain(c.human);

      // The customer writes before anyone claims: passed on, not answered by the agent.
      const waiting = await say(c.lang === 'zh' ? '有人在吗？' : 'Hello? Is anyone there?');
      expect(waiting.held).toBe(true);
      expect(waiting.text).toBe(c.labels.held);
      await inbox.waitForSelector('#d-messages li.customer');

      await inbox.click('#claim');
      await inbox.waitForSelector('#reply [type=submit]:not([disabled])');
      await customer.waitForSelector(`.msg.status[data-state="claimed"]`);
      expect(await customer.locator('.msg.status').last().textContent()).toBe(c.labels.claimed);
      await inbox.fill('#text', c.reply);
      await inbox.click('#reply [type=submit]');
      await inbox.waitForSelector('#d-messages li.operator');

      // The person's answer in the customer's browser, live, marked as from a person.
      const shown = customer.locator('.msg.operator');
      await shown.first().waitFor({ timeout: 15_000 });
      expect(await shown.locator('.answer').textContent()).toBe(c.reply);
      expect(await shown.locator('.who').textContent()).toBe(c.labels.person);

      // The queue shows every handoff in the screenshot (claimed ones are not "waiting").
      await inbox.selectOption('#state', '');
      await inbox.waitForSelector(`#list li[data-id="${handoffId}"]`);
      await saveScreenshot(customer, `handoff-web-chat-${c.lang}.png`);
      await saveScreenshot(inbox, `handoff-inbox-${c.lang}.png`);

      expect(await inbox.locator('#handback').textContent()).toBe(c.inbox.handback);
      await inbox.click('#handback');
      await customer.waitForSelector(`.msg.status[data-state="returned"]`);
      expect(await customer.locator('.msg.status').last().textContent()).toBe(c.labels.returned);

      const next = await say(c.next);
      expect(next.held).toBe(false);
      expect(next.text).toContain(order.id);
      if (c.lang === 'zh') expect(next.text).toMatch(/[\u4e00-\u9fff]/);
      // Exactly one message from the person, however the stream went.
      expect(await customer.locator('.msg.operator').count()).toBe(1);
    });
  }

  it('loaded nothing from elsewhere and logged no error', () => {
    expect(browser.requested.filter((u) => !u.startsWith(sys.url))).toEqual([]);
    expect(browser.problems).toEqual([]);
  });
});
