import { describe, expect, inject, it } from 'vitest';
import { seededRandom } from '@steward/core';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { createKeys, createRedis } from '@steward/store';
import { startIngress, type RunningIngress } from '@steward/ingress';
import {
  API_KEYS,
  KEYS,
  api,
  channels,
  channelsConfig,
  crmMessage,
  telegramUpdate,
  type Reply,
} from './attacker.ts';

// Property: random sequences of principals, customers, channels, conversation ids and message
// ids, sent through the real HTTP API and the signed adapters, never let one principal or
// customer write into or read another's conversation or query. A small model predicts every
// answer; the stored owners and customers are compared with it at the end. Seeds are fixed so
// a failure replays (STEWARD_PROPERTY_SEED adds one).
const url = inject('redisUrl');
const silent = { info() {}, warn() {}, error() {} };

type Sender = 'api' | 'web' | 'telegramKey' | 'telegramAdapter' | 'crm';
const PRINCIPAL: Record<Sender, string> = {
  api: 'api',
  web: 'web',
  telegramKey: 'telegram',
  telegramAdapter: 'telegram',
  crm: 'crm',
};
const OWN_CHANNEL: Record<Sender, string> = {
  api: 'api',
  web: 'web',
  telegramKey: 'telegram',
  telegramAdapter: 'telegram',
  crm: 'crm',
};
const KEY_OF: Partial<Record<Sender, string>> = { api: KEYS.api, web: KEYS.web, telegramKey: KEYS.telegram };
const RESERVED: [string, string][] = [
  ['tg.', 'telegram'],
  ['slack.', 'slack'],
  ['wa.', 'whatsapp'],
];
const TG_USERS = [
  { chat: 1, user: 1 },
  { chat: -2, user: 3 },
  { chat: -2, user: 4 },
];

interface Model {
  owner: Map<string, string>;
  customer: Map<string, string>;
  dedupe: Map<string, { queryId: string; conversationId: string }>;
  queries: Map<string, string>;
  conversations: string[];
}

async function run(seed: string, steps: number): Promise<void> {
  const prefix = uniquePrefix('sec-prop');
  const keys = createKeys(prefix);
  const ing: RunningIngress = await startIngress({
    redisUrl: url,
    prefix,
    port: await freePort(),
    host: '127.0.0.1',
    apiKeys: API_KEYS,
    adminToken: KEYS.operator,
    log: silent,
    debugTrace: (events) => ({ events }),
    metrics: async () => '',
    plugins: [
      channels.hardenInput(),
      channels.channelRoutes({ config: channelsConfig('http://127.0.0.1:1') }),
    ],
  });
  const redis = createRedis(url);
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const seen = { ownerRefusals: 0, duplicates: 0, crossReads: 0 };
  const m: Model = {
    owner: new Map(),
    customer: new Map(),
    dedupe: new Map(),
    queries: new Map(),
    conversations: ['c-a', 'c-b', 'tg.1.1', 'tg.-2.3', 'slack.T.C.U'],
  };
  try {
    for (let i = 0; i < steps; i++) {
      const sender = pick<Sender>(['api', 'web', 'telegramKey', 'telegramAdapter', 'crm']);
      const principal = PRINCIPAL[sender];
      const customerId = pick([undefined, undefined, 'alice_1', 'bob_2']);
      const messageId = pick([undefined, 'm1', 'm2', '7']);
      const ctx = `seed ${seed} step ${i} ${sender}`;

      if (sender === 'telegramAdapter') {
        const u = pick(TG_USERS);
        const updateId = pick([7, 8, 100 + i]);
        const conversationId = `tg.${u.chat}.${u.user}`;
        const r = await telegramUpdate(ing.url, { ...u, text: `op ${i}`, updateId });
        const dk = `${principal}|telegram|${updateId}`;
        const predicted = predict(m, { principal, conversationId, dedupeKey: dk });
        expect(r.status, ctx).toBe(predicted.status === 202 ? 200 : predicted.status);
        if (predicted.status === 202) {
          expect(r.body.duplicate, ctx).toBe(predicted.duplicate);
          const queryId = await redis.get(keys.dedupe('telegram', 'telegram', String(updateId)));
          expect(queryId, ctx).toMatch(/^q_[0-9a-f]{22}$/);
          if (!predicted.duplicate)
            record(m, { principal, conversationId, dedupeKey: dk, queryId: queryId!, customerId: undefined });
        }
        continue;
      }

      const channel = rnd() < 0.8 ? OWN_CHANNEL[sender] : pick(['api', 'web', 'telegram', 'crm', 'whatsapp']);
      const conversationId = rnd() < 0.2 ? undefined : pick(m.conversations);
      let r: Reply;
      if (sender === 'crm') {
        r = await crmMessage(ing.url, {
          text: `op ${i}`,
          messageId: messageId ?? `crm-${i}`,
          ...(conversationId ? { conversationId } : {}),
          ...(customerId ? { customerId } : {}),
        });
      } else {
        r = await api.post(ing.url, KEY_OF[sender]!, {
          text: `op ${i}`,
          channel,
          ...(conversationId ? { conversationId } : {}),
          ...(customerId ? { customerId } : {}),
          ...(messageId ? { messageId } : {}),
        });
      }
      const effChannel = sender === 'crm' ? 'crm' : channel;
      const effMessageId = sender === 'crm' ? (messageId ?? `crm-${i}`) : messageId;
      // What the ownership model says before anything is stored.
      let refused: number | null = null;
      if (effChannel !== OWN_CHANNEL[sender]) refused = 403;
      else if (customerId && sender === 'web') refused = 403;
      else if (
        conversationId &&
        RESERVED.some(([p, owner]) => conversationId.startsWith(p) && owner !== principal)
      )
        refused = 403;
      if (refused !== null) {
        expect(r.status, `${ctx} ${JSON.stringify(r.body)}`).toBe(refused);
        continue;
      }
      const dk = effMessageId ? `${principal}|${effChannel}|${effMessageId}` : null;
      const predicted = predict(m, { principal, conversationId, customerId, dedupeKey: dk });
      expect(r.status, `${ctx} ${JSON.stringify(r.body)}`).toBe(predicted.status);
      if (predicted.status !== 202) {
        seen.ownerRefusals++;
        continue;
      }
      if (predicted.duplicate) seen.duplicates++;
      expect(r.body.duplicate, ctx).toBe(predicted.duplicate);
      const queryId = String(r.body.queryId);
      const convId = String(r.body.conversationId);
      if (predicted.duplicate) {
        // A duplicate answers with the first acceptance's ids, which are this principal's own.
        expect({ queryId, convId }, ctx).toEqual({
          queryId: predicted.first!.queryId,
          convId: predicted.first!.conversationId,
        });
        expect(m.owner.get(convId), ctx).toBe(principal);
        continue;
      }
      if (conversationId) expect(convId, ctx).toBe(conversationId);
      record(m, { principal, conversationId: convId, dedupeKey: dk, queryId, customerId });
      if (!m.conversations.includes(convId)) m.conversations.push(convId);

      // Reads: every key reads this principal's queries and traces and no other's; the operator reads all.
      const [someQuery, owner] = pick([...m.queries.entries()]);
      for (const reader of ['api', 'web', 'telegramKey', 'operator'] as const) {
        const key = reader === 'operator' ? KEYS.operator : KEY_OF[reader]!;
        const may = reader === 'operator' || PRINCIPAL[reader] === owner;
        const got = await api.get(ing.url, key, `/v1/queries/${someQuery}`);
        expect(got.status, `${ctx} read by ${reader}`).toBe(may ? 200 : 404);
        const trace = await api.get(ing.url, key, `/v1/traces/${someQuery}`);
        expect(trace.status, `${ctx} trace read by ${reader}`).toBe(may ? 200 : 404);
        if (!may) seen.crossReads++;
      }
    }
    // What Redis holds agrees with the model: owners, customers, and each query's principal.
    for (const [conv, owner] of m.owner) {
      const h = await redis.hmget(keys.conversation(conv), 'owner', 'customerId');
      expect({ conv, owner: h[0], customer: h[1] || undefined }).toEqual({
        conv,
        owner,
        customer: m.customer.get(conv),
      });
    }
    for (const [q, owner] of m.queries) expect(await redis.hget(keys.query(q), 'principal')).toBe(owner);
    expect(m.queries.size).toBeGreaterThan(steps / 10);
    // The sequence exercised what it claims to: refusals by the stored owner or customer,
    // duplicates, and reads of other principals' queries.
    expect(seen.ownerRefusals).toBeGreaterThan(0);
    expect(seen.duplicates).toBeGreaterThan(0);
    expect(seen.crossReads).toBeGreaterThan(0);
  } finally {
    redis.disconnect();
    await ing.close();
    await deletePrefix(url, prefix);
  }
}

function predict(
  m: Model,
  o: {
    principal: string;
    conversationId: string | undefined;
    customerId?: string | undefined;
    dedupeKey: string | null;
  },
): { status: number; duplicate: boolean; first?: { queryId: string; conversationId: string } } {
  const first = o.dedupeKey ? m.dedupe.get(o.dedupeKey) : undefined;
  if (first) return { status: 202, duplicate: true, first };
  if (o.conversationId) {
    const owner = m.owner.get(o.conversationId);
    if (owner !== undefined && owner !== o.principal) return { status: 403, duplicate: false };
    const bound = m.customer.get(o.conversationId);
    if (o.customerId && bound !== undefined && bound !== o.customerId)
      return { status: 403, duplicate: false };
  }
  return { status: 202, duplicate: false };
}

function record(
  m: Model,
  o: {
    principal: string;
    conversationId: string;
    customerId: string | undefined;
    dedupeKey: string | null;
    queryId: string;
  },
): void {
  if (!m.owner.has(o.conversationId)) m.owner.set(o.conversationId, o.principal);
  if (o.customerId && !m.customer.has(o.conversationId)) m.customer.set(o.conversationId, o.customerId);
  if (o.dedupeKey) m.dedupe.set(o.dedupeKey, { queryId: o.queryId, conversationId: o.conversationId });
  m.queries.set(o.queryId, o.principal);
}

describe('ownership property (random principals, customers, channels, conversation and message ids)', () => {
  const seeds = [
    'trust-1',
    'trust-2',
    ...(process.env.STEWARD_PROPERTY_SEED ? [process.env.STEWARD_PROPERTY_SEED] : []),
  ];
  for (const seed of seeds) {
    it(`holds for seed ${seed}`, async () => {
      await run(seed, 150);
    });
  }
});
