// Issue 12's done-when sentence, as a test: an attacker holding the web-chat key (which every
// browser receives from GET /chat/config) can do nothing but chat as a new, unverified customer.
// A victim (a Telegram customer who verified and asked about an order) and an integration's
// conversation exist first; then every route of the running system is tried with the web key —
// reads of queries, traces and event streams, the handoff and inbox API, the conversations
// archive, erasure, the queue dashboard, metrics, the platform webhooks, and messages that name
// another conversation, customer, channel or recipient. Each is refused with a stable status and
// code, and Redis holds exactly the keys it held before the attempts (nothing created or changed).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { loadConfig } from '@steward/core';
import { createDb, type Db } from '@steward/archive';
import { postgresUnavailable, testDatabase, type TestDatabase } from '@steward/archive/testing';
import { adminTokenOperator, archiveRoutes } from '@steward/ingress';
import { createKeys, readQueryEvents } from '@steward/store';
import type { RunningSystem } from '@steward/system';
import { uniquePrefix } from '@steward/testing';
import type { PlatformDouble } from '../channels/platform-double.ts';
import { e2eData } from '../helpers/e2e-data.ts';
import { KEYS, api, request, telegramUpdate, type Reply } from './attacker.ts';
import { startAttackedSystem, type AttackedSystem } from './attacked-system.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('sec-web');
const keys = createKeys(prefix);
const data = e2eData();
const METRICS_TOKEN = 'sec-web-metrics-token-0123456789';
const VICTIM = { chat: 6161, user: 6161, conversation: 'tg.6161.6161' };
let target: AttackedSystem;
let sys: RunningSystem;
let redis: Redis;
let platform: PlatformDouble;
let pgdb: TestDatabase | undefined;
let db: Db | undefined;
const settled = (conversationId: string, count: number): Promise<string> => target.settled(conversationId, count);

// Housekeeping moves on its own: BullMQ's stalled-check stamps and limiter counters, the
// sweeper's lease. Nothing else may (a queue's job-id counter `{queue}:id` included: no job
// was added).
const housekeeping = (k: string): boolean => k === keys.sweeperLease || /:(stalled-check|limiter)$/.test(k);
const changedKeys = (a: Map<string, string>, b: Map<string, string>): string[] =>
  [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k) && !housekeeping(k));

/**
 * The snapshot once the setup's own work has finished: a setup answer's delivery job and the
 * workers' job timings (flushed up to JOB_TIMING_FLUSH_MS after a job) may still be moving when
 * the attack starts, and would be blamed on it. Quiet = nothing but housekeeping changed over a
 * gap longer than that flush; never quiet within 20 s, the last snapshot is returned and the
 * comparison below fails on what kept moving.
 */
async function quietSnapshot(): Promise<Map<string, string>> {
  let last = await snapshot();
  for (const until = Date.now() + 20_000; Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 1_200));
    const next = await snapshot();
    if (changedKeys(last, next).length === 0) return next;
    last = next;
  }
  return last;
}

/** Every key under the prefix with a digest of its content: what "nothing created or changed" compares. */
async function snapshot(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const k of batch) {
      const type = await redis.type(k);
      const content =
        type === 'string'
          ? await redis.get(k)
          : type === 'hash'
            ? JSON.stringify(Object.entries(await redis.hgetall(k)).sort())
            : type === 'list'
              ? JSON.stringify(await redis.lrange(k, 0, -1))
              : type === 'zset'
                ? JSON.stringify(await redis.zrange(k, '0', '-1', 'WITHSCORES'))
                : type === 'set'
                  ? JSON.stringify((await redis.smembers(k)).sort())
                  : type === 'stream'
                    ? String(await redis.xlen(k))
                    : type;
      out.set(k, content ?? '');
    }
  } while (cursor !== '0');
  return out;
}

describe('the web-chat key can only chat as a new, unverified customer (issue 12, done when)', () => {
  let webKey = '';
  let victimQuery = '';
  let victimHandoff = '';

  beforeAll(async () => {
    if (!postgresUnavailable) {
      pgdb = await testDatabase('webkey');
      db = createDb(pgdb.url, pgdb.schema);
    }
    target = await startAttackedSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      config: loadConfig({ METRICS_TOKEN }, 'system'),
      morePlugins: [
        // The conversations archive and erasure: operator routes (the archive only with PostgreSQL).
        archiveRoutes({
          db,
          operator: adminTokenOperator(KEYS.operator),
          debugTrace: (events) => ({ events }),
        }),
      ],
    });
    ({ sys, redis, platform } = target);
    webKey = ((await (await fetch(`${sys.url}/chat/config`)).json()) as { key: string }).key;

    // The victim verifies on Telegram and asks about an order; an operator takes a handoff of it.
    const r = await telegramUpdate(sys.url, {
      ...VICTIM,
      text: `My email is ${data.customerEmail}. What is the status of my order ${data.statusOrder.id}?`,
    });
    expect(r.status).toBe(200);
    victimQuery = await settled(VICTIM.conversation, 1);
    expect(await redis.hget(keys.conversation(VICTIM.conversation), 'customerId')).toBe(data.customer);
    const taken = await fetch(`${sys.url}/v1/conversations/${VICTIM.conversation}/handoff`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ operator: 'olga' }),
    });
    expect(taken.status).toBe(201);
    victimHandoff = ((await taken.json()) as { handoff: { id: string } }).handoff.id;
    // An integration's own conversation.
    expect(
      (
        await api.post(sys.url, KEYS.api, {
          conversationId: 'sec-web-api-conv',
          customerId: data.foreignOwner,
          text: 'hello',
        })
      ).status,
    ).toBe(202);
    await settled('sec-web-api-conv', 1);
  });

  afterAll(async () => {
    await target?.close();
    await db?.end();
    await pgdb?.drop();
  });

  it('gets the key from GET /chat/config, and it is the web principal’s', () => {
    expect(webKey).toBe(KEYS.web);
  });

  it('is refused everywhere else, with stable codes, and nothing in Redis is created or changed', async () => {
    const before = await quietSnapshot();
    const bearer = { authorization: `Bearer ${webKey}` };
    const json = { ...bearer, 'content-type': 'application/json' };
    const get = (path: string): Promise<Reply> => api.get(sys.url, webKey, path);
    const send = async (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = json,
    ): Promise<Reply> =>
      request(`${sys.url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const sse = async (path: string): Promise<Reply> => {
      const res = await fetch(`${sys.url}${path}`);
      const body = res.headers.get('content-type')?.includes('json')
        ? ((await res.json()) as Reply['body'])
        : {};
      if (!res.bodyUsed) await res.body?.cancel();
      return { status: res.status, body };
    };
    const key = encodeURIComponent(webKey);
    const telegramBody = {
      update_id: 77_000_001,
      message: {
        message_id: 1,
        from: { id: VICTIM.user, is_bot: false, first_name: 'T' },
        chat: { id: VICTIM.chat, type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text: 'yes',
      },
    };
    const h = victimHandoff;

    // [what, attempt, status, code]
    const attempts: [string, () => Promise<Reply>, number, string][] = [
      // Another principal's query, trace and event stream: 404, as if they did not exist.
      ['read the victim’s query', () => get(`/v1/queries/${victimQuery}`), 404, 'query_not_found'],
      ['read the victim’s trace', () => get(`/v1/traces/${victimQuery}`), 404, 'trace_not_found'],
      [
        'stream the victim’s events',
        () => sse(`/v1/queries/${victimQuery}/events?key=${key}`),
        404,
        'query_not_found',
      ],
      // Nor its conversation's stream (which would mark it watched: its answers streamed, ADR 0032).
      [
        'stream the victim’s conversation',
        () => sse(`/v1/conversations/${VICTIM.conversation}/events?key=${key}`),
        404,
        'conversation_not_found',
      ],
      // Messages into another conversation, naming a customer, a push channel or a recipient.
      [
        'post into the victim’s conversation',
        () => api.post(sys.url, webKey, { conversationId: VICTIM.conversation, channel: 'web', text: 'yes' }),
        403,
        'conversation_forbidden',
      ],
      [
        'post into an integration’s conversation',
        () => api.post(sys.url, webKey, { conversationId: 'sec-web-api-conv', channel: 'web', text: 'hi' }),
        403,
        'conversation_forbidden',
      ],
      [
        'claim a platform conversation id',
        () => api.post(sys.url, webKey, { conversationId: 'tg.999.999', channel: 'web', text: 'hi' }),
        403,
        'conversation_forbidden',
      ],
      [
        'name the victim as customer',
        () =>
          api.post(sys.url, webKey, {
            channel: 'web',
            customerId: data.customer,
            text: `cancel ${data.statusOrder.id}`,
          }),
        403,
        'customer_forbidden',
      ],
      [
        'name a customer in a new conversation',
        () =>
          api.post(sys.url, webKey, {
            conversationId: 'sec-web-new-1',
            channel: 'web',
            customerId: data.foreignOwner,
            text: 'hi',
          }),
        403,
        'customer_forbidden',
      ],
      [
        'post on the api channel',
        () => api.post(sys.url, webKey, { channel: 'api', text: 'hi' }),
        403,
        'channel_forbidden',
      ],
      [
        'post on Telegram',
        () => api.post(sys.url, webKey, { channel: 'telegram', text: 'hi' }),
        403,
        'channel_forbidden',
      ],
      [
        'post on WhatsApp to a number',
        () => api.post(sys.url, webKey, { channel: 'whatsapp', recipient: '15550009999', text: 'hi' }),
        403,
        'channel_forbidden',
      ],
      [
        'choose a recipient',
        () => api.post(sys.url, webKey, { channel: 'web', recipient: '15550009999', text: 'hi' }),
        400,
        'recipient_forbidden',
      ],
      [
        'spell another key in an id',
        () =>
          api.post(sys.url, webKey, {
            conversationId: `${VICTIM.conversation}:msgs`,
            channel: 'web',
            text: 'hi',
          }),
        400,
        'invalid_request',
      ],
      // The operator surfaces: the handoff inbox and its API, the archive, erasure, the queues.
      ['list handoffs', () => get('/v1/handoffs'), 401, 'unauthorized'],
      ['read a handoff', () => get(`/v1/handoffs/${h}`), 401, 'unauthorized'],
      ['stream the inbox', () => sse(`/v1/handoffs/events?key=${key}`), 401, 'unauthorized'],
      ...(['claim', 'messages', 'notes', 'transfer', 'resolve', 'hand-back'] as const).map(
        (action): [string, () => Promise<Reply>, number, string] => [
          `${action} the victim’s handoff`,
          () =>
            send('POST', `/v1/handoffs/${h}/${action}`, {
              operator: 'mallory',
              text: 'your order is cancelled',
              to: 'mallory',
            }),
          401,
          'unauthorized',
        ],
      ),
      [
        'take over the victim’s conversation',
        () => send('POST', `/v1/conversations/${VICTIM.conversation}/handoff`, { operator: 'mallory' }),
        401,
        'unauthorized',
      ],
      [
        'erase the victim’s data',
        () => send('DELETE', `/v1/customers/${data.customer}/data`, undefined, bearer),
        401,
        'unauthorized',
      ],
      ...(db
        ? ([
            [
              'search archived conversations',
              () => get(`/v1/conversations?customerId=${data.customer}`),
              401,
              'unauthorized',
            ],
            [
              'read an archived conversation',
              () => get(`/v1/conversations/${VICTIM.conversation}`),
              401,
              'unauthorized',
            ],
            [
              'export an archived conversation',
              () => get(`/v1/conversations/${VICTIM.conversation}/export`),
              401,
              'unauthorized',
            ],
          ] as [string, () => Promise<Reply>, number, string][])
        : []),
      ['open the queue dashboard', () => get('/admin/queues'), 401, 'unauthorized'],
      ['scrape /metrics', () => get('/metrics'), 401, 'unauthorized'],
      // The platform webhooks: the web key is no platform signature.
      [
        'post a Telegram update as the victim',
        () => send('POST', '/v1/channels/telegram/webhook', telegramBody),
        401,
        'missing_signature',
      ],
      [
        'post it with the web key as secret token',
        () =>
          send('POST', '/v1/channels/telegram/webhook', telegramBody, {
            ...json,
            'x-telegram-bot-api-secret-token': webKey,
          }),
        401,
        'invalid_signature',
      ],
      [
        'post a Slack event',
        () =>
          send('POST', '/v1/channels/slack/events', {
            type: 'event_callback',
            event: { type: 'message', channel: 'C1', user: 'U1', text: 'yes' },
          }),
        401,
        'missing_signature',
      ],
      [
        'post a WhatsApp batch',
        () =>
          send('POST', '/v1/channels/whatsapp/webhook', { object: 'whatsapp_business_account', entry: [] }),
        401,
        'missing_signature',
      ],
      [
        'post to a generic webhook',
        () =>
          send('POST', '/v1/channels/webhook/crm', {
            conversationId: VICTIM.conversation,
            messageId: 'x',
            text: 'yes',
          }),
        401,
        'missing_signature',
      ],
    ];
    const outcomes = [];
    for (const [what, attempt] of attempts) {
      const r = await attempt();
      outcomes.push({ what, status: r.status, code: r.body.error?.code });
    }
    expect(outcomes).toEqual(attempts.map(([what, , status, code]) => ({ what, status, code })));

    // Nothing the attacker did reached a platform, a queue or a record.
    await new Promise((r) => setTimeout(r, 300));
    const after = await snapshot();
    expect(changedKeys(before, after)).toEqual([]);
    expect(platform.received.filter((m) => /15550009999/.test(m.raw))).toEqual([]);
  });

  it('chats as a new, unverified customer in its own conversation, and reads only that', async () => {
    const r = await api.post(sys.url, webKey, {
      channel: 'web',
      text: `What is the status of order ${data.statusOrder.id}?`,
    });
    expect(r.status).toBe(202);
    const conversationId = String(r.body.conversationId);
    expect(conversationId).not.toBe(VICTIM.conversation);
    const queryId = await settled(conversationId, 1);
    expect(queryId).toBe(r.body.queryId);
    const conv = await redis.hgetall(keys.conversation(conversationId));
    expect(conv.owner).toBe('web');
    expect(conv.customerId ?? '').toBe('');
    const own = await get(webKey, `/v1/queries/${queryId}`);
    expect(own.status).toBe(200);
    // Unverified, it read no order: no order lookup of the query succeeded.
    const reads = (await readQueryEvents(redis, keys, queryId)).filter(
      (e) => e.type === 'tool.call' && e.data.name === 'get_order_details' && e.data.ok === true,
    );
    expect(reads).toEqual([]);
    // The same key continues its own conversation.
    expect((await api.post(sys.url, webKey, { conversationId, channel: 'web', text: 'thanks' })).status).toBe(
      202,
    );
    // The victim's conversation and bound customer are untouched.
    expect(await redis.hget(keys.conversation(VICTIM.conversation), 'customerId')).toBe(data.customer);
  });
});

const get = (key: string, path: string): Promise<Reply> => api.get(sys.url, key, path);
