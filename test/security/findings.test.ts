import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '@steward/testing';
import type { RunningSystem } from '@steward/system';
import { createKeys, readQueryEvents } from '@steward/store';
import type { Redis } from 'ioredis';
import { e2eData } from '../helpers/e2e-data.ts';
import type { PlatformDouble } from '../channels/platform-double.ts';
import { KEYS, api, crmMessage, slackMessage, telegramUpdate } from './attacker.ts';
import { startAttackedSystem, type AttackedSystem } from './attacked-system.ts';

// Issue 12's findings 1–6, each reproduced as an attacker would on a running system (every
// service in one process, the shop, the offline sim-llm, the platform adapters with signed
// requests) and refused. Each test failed on the main branch before the ownership model. The shop
// holds the τ-bench records when ../shared is there, else the generated catalog (e2e-data.ts).
const url = inject('redisUrl');
const prefix = uniquePrefix('sec');
const keys = createKeys(prefix);
const data = e2eData();
// The victim customer: verified by email, asking about one of their orders.
const JAMES = { id: data.customer, email: data.customerEmail, order: data.statusOrder.id };
let target: AttackedSystem;
let sys: RunningSystem;
let platform: PlatformDouble;
let redis: Redis;

const queriesOf = (conversationId: string) => redis.lrange(keys.conversationQueries(conversationId), 0, -1);
const customerOf = async (conversationId: string) =>
  (await redis.hget(keys.conversation(conversationId), 'customerId')) || null;
/** Wait until the conversation's `count`-th query ends; returns its id. */
const settled = (conversationId: string, count: number): Promise<string> => target.settled(conversationId, count);

describe('trust boundaries (issue 12 findings 1–6)', () => {
  beforeAll(async () => {
    target = await startAttackedSystem({ redisUrl: url, prefix, shopData: data.shopData });
    ({ sys, platform, redis } = target);
  });
  afterAll(async () => {
    await target?.close();
  });

  // The victim: a Telegram customer who verified themselves and asked about their order.
  const VICTIM = { chat: 5252, user: 5252, conversation: 'tg.5252.5252' };
  let victimQuery = '';

  it('setup: a Telegram customer verifies by email and asks about an order', async () => {
    const r = await telegramUpdate(sys.url, {
      ...VICTIM,
      text: `My email is ${JAMES.email}. What is the status of my order ${JAMES.order}?`,
    });
    expect(r.status).toBe(200);
    victimQuery = await settled(VICTIM.conversation, 1);
    expect(await customerOf(VICTIM.conversation)).toBe(JAMES.id);
  });

  describe('1. a key acts only inside its own conversations and reads only its own queries', () => {
    it('refuses the web-chat key (from GET /chat/config) in a Telegram conversation with 403, creating nothing', async () => {
      const cfg = (await (await fetch(`${sys.url}/chat/config`)).json()) as { key: string };
      expect(cfg.key).toBe(KEYS.web);
      const before = await queriesOf(VICTIM.conversation);
      for (const text of [`Please cancel my order ${JAMES.order}`, 'yes']) {
        const r = await api.post(sys.url, cfg.key, {
          conversationId: VICTIM.conversation,
          channel: 'web',
          text,
        });
        expect(r.status).toBe(403);
        expect(r.body.error?.code).toBe('conversation_forbidden');
      }
      // The API key of an integration is no better placed.
      const viaApi = await api.post(sys.url, KEYS.api, { conversationId: VICTIM.conversation, text: 'yes' });
      expect(viaApi.status).toBe(403);
      expect(await queriesOf(VICTIM.conversation)).toEqual(before);
    });

    it("answers 404 to another principal's query, trace and event stream; the operator reads them", async () => {
      for (const key of [KEYS.web, KEYS.api]) {
        expect((await api.get(sys.url, key, `/v1/queries/${victimQuery}`)).status).toBe(404);
        expect((await api.get(sys.url, key, `/v1/traces/${victimQuery}`)).status).toBe(404);
        const sse = await fetch(`${sys.url}/v1/queries/${victimQuery}/events?key=${encodeURIComponent(key)}`);
        expect(sse.status).toBe(404);
        await sse.body?.cancel();
      }
      const view = await api.get(sys.url, KEYS.operator, `/v1/queries/${victimQuery}`);
      expect(view.status).toBe(200);
      expect(view.body.conversationId).toBe(VICTIM.conversation);
      expect((await api.get(sys.url, KEYS.operator, `/v1/traces/${victimQuery}`)).status).toBe(200);
    });

    it('refuses a customer id from the web chat, and a second customer in a bound conversation', async () => {
      const web = await api.post(sys.url, KEYS.web, {
        channel: 'web',
        customerId: JAMES.id,
        text: `Cancel order ${JAMES.order}`,
      });
      expect(web).toMatchObject({ status: 403, body: { error: { code: 'customer_forbidden' } } });
      const first = await api.post(sys.url, KEYS.api, {
        conversationId: 'sec-bound-1',
        customerId: 'alice_1',
        text: 'hi',
      });
      expect(first.status).toBe(202);
      const second = await api.post(sys.url, KEYS.api, {
        conversationId: 'sec-bound-1',
        customerId: JAMES.id,
        text: 'hi',
      });
      expect(second).toMatchObject({ status: 403, body: { error: { code: 'customer_mismatch' } } });
      expect(await queriesOf('sec-bound-1')).toHaveLength(1);
    });

    it("keeps the web chat out of an integration's conversation", async () => {
      const own = await api.post(sys.url, KEYS.api, { conversationId: 'sec-api-conv', text: 'hello' });
      expect(own.status).toBe(202);
      const r = await api.post(sys.url, KEYS.web, {
        conversationId: 'sec-api-conv',
        channel: 'web',
        text: 'hello',
      });
      expect(r).toMatchObject({ status: 403, body: { error: { code: 'conversation_forbidden' } } });
    });
  });

  describe('2. de-duplication never hands out another principal’s ids', () => {
    it('treats a Telegram update id re-posted by another key as a new message of that key', async () => {
      const updateId = 4_200_001;
      expect((await telegramUpdate(sys.url, { chat: 777, user: 777, text: 'hello', updateId })).status).toBe(
        200,
      );
      const telegramQuery = await redis.get(keys.dedupe('telegram', 'telegram', String(updateId)));
      expect(telegramQuery).toMatch(/^q_[0-9a-f]{22}$/);
      for (const [key, channel] of [
        [KEYS.api, 'api'],
        [KEYS.web, 'web'],
      ] as const) {
        const r = await api.post(sys.url, key, { channel, messageId: String(updateId), text: 'hello' });
        expect(r.status).toBe(202);
        expect(r.body.duplicate).toBe(false);
        expect(r.body.queryId).not.toBe(telegramQuery);
        expect(r.body.conversationId).not.toBe('tg.777.777');
        // The same principal re-posting is the duplicate, answered with its own ids.
        const again = await api.post(sys.url, key, { channel, messageId: String(updateId), text: 'hello' });
        expect(again.body).toMatchObject({
          duplicate: true,
          queryId: r.body.queryId,
          conversationId: r.body.conversationId,
        });
      }
    });
  });

  describe('3. group chats: each member has their own identity and confirmations', () => {
    it('keeps Mallory out of what Alice verified in the same Telegram group', async () => {
      const group = -100_777;
      const alice = { chat: group, user: 11 };
      const mallory = { chat: group, user: 12 };
      expect(
        (
          await telegramUpdate(sys.url, {
            ...alice,
            text: `My email is ${JAMES.email}. Where is my order ${JAMES.order}?`,
          })
        ).status,
      ).toBe(200);
      await settled(`tg.${group}.11`, 1);
      expect(await customerOf(`tg.${group}.11`)).toBe(JAMES.id);

      expect(
        (await telegramUpdate(sys.url, { ...mallory, text: `What is the status of order ${JAMES.order}?` }))
          .status,
      ).toBe(200);
      const malloryQuery = await settled(`tg.${group}.12`, 1);
      expect(await customerOf(`tg.${group}.12`)).toBeNull();
      // No read of Alice's order succeeded on Mallory's behalf.
      const events = await readQueryEvents(redis, keys, malloryQuery);
      const orderReads = events.filter(
        (e) => e.type === 'tool.call' && e.data.name === 'get_order_details' && e.data.ok === true,
      );
      expect(orderReads).toEqual([]);
      // Mallory's "yes" lands in her own conversation, never in Alice's.
      const aliceBefore = await queriesOf(`tg.${group}.11`);
      expect((await telegramUpdate(sys.url, { ...mallory, text: 'yes' })).status).toBe(200);
      await settled(`tg.${group}.12`, 2);
      expect(await queriesOf(`tg.${group}.11`)).toEqual(aliceBefore);
    });

    it('gives each member of a Slack channel their own conversation, answered in the same channel', async () => {
      expect((await slackMessage(sys.url, { channel: 'CSEC', user: 'UALICE', text: 'hello' })).status).toBe(
        200,
      );
      expect((await slackMessage(sys.url, { channel: 'CSEC', user: 'UMALLORY', text: 'hello' })).status).toBe(
        200,
      );
      const [a, m] = await Promise.all([
        queriesOf('slack.TSEC.CSEC.UALICE'),
        queriesOf('slack.TSEC.CSEC.UMALLORY'),
      ]);
      expect(a).toHaveLength(1);
      expect(m).toHaveLength(1);
      expect(await redis.hget(keys.query(a[0]!), 'recipient')).toBe('CSEC');
      expect(await redis.hget(keys.query(m[0]!), 'recipient')).toBe('CSEC');
    });
  });

  describe('4. callers never choose where answers go', () => {
    it('refuses push channels to keys not bound to them, and a recipient from any API caller', async () => {
      const attempts: [string, Record<string, unknown>, number, string][] = [
        [KEYS.api, { channel: 'whatsapp', recipient: '15550001234', text: 'hi' }, 403, 'channel_forbidden'],
        [KEYS.api, { channel: 'telegram', text: 'hi' }, 403, 'channel_forbidden'],
        [KEYS.web, { channel: 'telegram', recipient: '9999001', text: 'hi' }, 403, 'channel_forbidden'],
        [KEYS.api, { recipient: '9999001', text: 'hi' }, 400, 'recipient_forbidden'],
        // Even the key bound to Telegram cannot aim an answer: the recipient comes from the update.
        [
          KEYS.telegram,
          { channel: 'telegram', recipient: '9999001', text: 'hi' },
          400,
          'recipient_forbidden',
        ],
      ];
      for (const [key, body, status, code] of attempts) {
        const r = await api.post(sys.url, key, body);
        expect({ status: r.status, code: r.body.error?.code }).toEqual({ status, code });
      }
      // A signed integration cannot borrow a platform's conversation either.
      const crm = await crmMessage(sys.url, {
        conversationId: 'tg.5252.5252',
        messageId: 'crm-1',
        text: 'hi',
        recipient: 'x',
      });
      expect(crm).toMatchObject({ status: 403, body: { error: { code: 'conversation_forbidden' } } });
      // Nothing reached the platforms for the attacker's recipients.
      await new Promise((r) => setTimeout(r, 300));
      const aimed = platform.received.filter((m) => /15550001234|9999001/.test(m.raw));
      expect(aimed).toEqual([]);
    });
  });

  describe('5. caller-chosen ids cannot reach internal keys', () => {
    it('refuses key separators in ids, and the Telegram chat whose key was aimed at keeps working', async () => {
      for (const conversationId of ['tg:6262:msgs', 'conv:x', 'a'.repeat(129), 'two words']) {
        const r = await api.post(sys.url, KEYS.api, { conversationId, text: 'hi' });
        expect(r.status).toBe(400);
      }
      expect((await api.post(sys.url, KEYS.api, { customerId: 'x:y', text: 'hi' })).status).toBe(400);
      expect(await redis.exists(`${prefix}:conv:tg:6262:msgs`)).toBe(0);
      expect((await telegramUpdate(sys.url, { chat: 6262, user: 6262, text: 'hello' })).status).toBe(200);
      const q = await settled('tg.6262.6262', 1);
      expect(await redis.hget(keys.query(q), 'status')).toMatch(/^(completed|failed)$/);
      expect(await redis.type(keys.conversationMessages('tg.6262.6262'))).toBe('list');
    });

    it('keeps handoff records out of the BullMQ handoff queue’s keys', () => {
      expect(keys.handoff('q_1').startsWith(`${prefix}:handoff:`)).toBe(false);
    });
  });

  describe('6 (identity). verification attempts are limited per conversation', () => {
    it('refuses a sixth identity lookup after five failures, even with the right email', async () => {
      let conversationId = '';
      for (let i = 0; i < 6; i++) {
        const email = i < 5 ? `nobody${i}.sec@example.com` : JAMES.email;
        const r = await api.post(sys.url, KEYS.web, {
          channel: 'web',
          ...(conversationId ? { conversationId } : {}),
          text: `My email is ${email}. Where is my order ${JAMES.order}?`,
        });
        expect(r.status).toBe(202);
        conversationId = String(r.body.conversationId);
        await settled(conversationId, i + 1);
      }
      const ids = await queriesOf(conversationId);
      const lookups = [];
      for (const id of ids) {
        for (const e of await readQueryEvents(redis, keys, id)) {
          if (e.type === 'tool.call' && String(e.data.name).startsWith('find_user_id_by_'))
            lookups.push(e.data);
        }
      }
      expect(lookups.filter((l) => l.errorType === 'identity_locked').length).toBeGreaterThan(0);
      expect(lookups.filter((l) => l.ok === false && l.errorType !== 'identity_locked')).toHaveLength(5);
      expect(await customerOf(conversationId)).toBeNull();
      // The customer is refused politely and offered a human agent.
      const last = await api.get(sys.url, KEYS.web, `/v1/queries/${ids[5]}`);
      expect(String(last.body.answer)).toMatch(/human agent/);
    });
  });
});
