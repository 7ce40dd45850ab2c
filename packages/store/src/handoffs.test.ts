import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { createQueues, type Queues } from './queues.ts';
import { createRedis } from './redis.ts';
import { QueryStore } from './queries.ts';
import { acceptMessage, type IntakeDeps } from './intake.ts';
import { Outbox } from './outbox.ts';
import { endQuery } from './end-query.ts';
import { HandoffStore } from './handoffs.ts';

// A conversation owned by a person, against a real Redis and real BullMQ queues (no workers).
const url = inject('redisUrl');
const prefix = uniquePrefix('handoffs');
const keys = createKeys(prefix);
let redis: Redis;
let queues: Queues;
let deps: IntakeDeps;
let handoffs: HandoffStore;

beforeAll(() => {
  redis = createRedis(url);
  queues = createQueues(redis, prefix);
  deps = { redis, keys, queries: new QueryStore(redis, keys), queues, deadlineMs: 30_000 };
  handoffs = new HandoffStore(redis, keys);
});
afterAll(async () => {
  await queues.close();
  await deletePrefix(url, prefix);
  redis.disconnect();
});

const AS_TELEGRAM = { sender: { principal: 'telegram' } };
const msg = (conversationId: string, text: string, channel = 'telegram') => ({ conversationId, channel, recipient: '42', text }) as never;

/** Start a query in the conversation and end it with a handoff, as the controller does. */
async function handOff(conversationId: string, channel = 'telegram'): Promise<string> {
  const a = await acceptMessage(deps, msg(conversationId, 'I want a human', channel), AS_TELEGRAM);
  if (!a.ok) throw new Error('refused');
  const q = (await deps.queries.get(a.queryId))!;
  const outbox = new Outbox(redis, keys, queues);
  await endQuery({ queries: deps.queries, outbox }, q, { outcome: 'handoff', reason: 'handoff', state: 'handed_off', answer: 'A person will help you.', handsOff: true });
  await handoffs.create({ queryId: q.queryId, conversationId, summary: 'wants a human', reason: 'handoff', traceId: q.traceId, language: 'en' }, { channel, recipient: '42' });
  return q.queryId;
}

describe('a conversation owned by a person', () => {
  it('holds the customer messages for the person: recorded, never started for the agent', async () => {
    const c = `c_hold_${Date.now()}`;
    const hid = await handOff(c);
    expect(await redis.hget(keys.conversation(c), 'answeredBy')).toBe('person');
    const r = await acceptMessage(deps, msg(c, 'hello? anyone there'), AS_TELEGRAM);
    expect(r).toMatchObject({ ok: true, status: 'held', handoffId: hid });
    if (!r.ok) return;
    expect(await queues.reasoning.getJob(`${r.queryId}:t0:reason`)).toBeUndefined();
    expect((await deps.queries.get(r.queryId))?.status).toBe('completed');
    expect((await handoffs.messages(hid)).map((m) => [m.from, m.text])).toEqual([['customer', 'hello? anyone there']]);
    const conv = (await redis.lrange(keys.conversationMessages(c), 0, -1)).map((m) => JSON.parse(m) as { role: string; content: string });
    expect(conv.at(-1)).toEqual({ role: 'user', content: 'hello? anyone there' });
  });

  it('holds messages that were queued behind the query that handed off', async () => {
    const c = `c_pending_${Date.now()}`;
    const a = await acceptMessage(deps, msg(c, 'I want a human'), AS_TELEGRAM);
    const b = await acceptMessage(deps, msg(c, 'please hurry'), AS_TELEGRAM);
    if (!a.ok || !b.ok) throw new Error('refused');
    const q = (await deps.queries.get(a.queryId))!;
    await endQuery({ queries: deps.queries, outbox: new Outbox(redis, keys, queues) }, q, { outcome: 'handoff', reason: 'handoff', state: 'handed_off', answer: 'ok', handsOff: true });
    expect(await queues.reasoning.getJob(`${b.queryId}:t0:reason`)).toBeUndefined();
    expect((await deps.queries.get(b.queryId))?.status).toBe('completed');
    expect((await handoffs.messages(a.queryId)).map((m) => m.text)).toEqual(['please hurry']);
  });

  it('claim, reply exactly once through the deliveries queue, then hand back to the agent', async () => {
    const c = `c_act_${Date.now()}`;
    const hid = await handOff(c);
    expect(await handoffs.act(hid, { type: 'reply', operator: 'mei' }, { text: 'hi' })).toMatchObject({ ok: false, code: 'not_claimed' });
    expect(await handoffs.act(hid, { type: 'claim', operator: 'mei' })).toMatchObject({ ok: true, record: { state: 'claimed', claimedBy: 'mei' } });
    expect(await handoffs.act(hid, { type: 'claim', operator: 'li' })).toMatchObject({ ok: false, code: 'already_claimed' });
    const r1 = await handoffs.act(hid, { type: 'reply', operator: 'mei' }, { text: 'Hello, I am Mei.', replyId: 'a1' });
    const again = await handoffs.act(hid, { type: 'reply', operator: 'mei' }, { text: 'Hello, I am Mei.', replyId: 'a1' });
    if (!r1.ok || !again.ok) throw new Error('refused');
    expect(again.duplicate).toBe(true);
    expect(r1.jobs).toHaveLength(1);
    expect(again.jobs).toHaveLength(0);
    await new Outbox(redis, keys, queues).relay(r1.jobs);
    const job = await queues.deliveries.getJob(`${r1.replyQueryId}:q:deliver`);
    expect(job?.data).toMatchObject({ queryId: r1.replyQueryId, channel: 'telegram', recipient: '42' });
    expect((await deps.queries.get(r1.replyQueryId!))?.answer).toBe('Hello, I am Mei.');
    await handoffs.act(hid, { type: 'note', operator: 'li' }, { text: 'VIP customer' });
    expect((await handoffs.messages(hid)).map((m) => m.from)).toEqual(['operator', 'note']);
    expect(await handoffs.act(hid, { type: 'hand_back', operator: 'li' })).toMatchObject({ ok: false, code: 'not_owner' });
    expect(await handoffs.act(hid, { type: 'hand_back', operator: 'mei' })).toMatchObject({ ok: true, record: { state: 'returned' } });
    expect(await redis.hget(keys.conversation(c), 'answeredBy')).toBeNull();
    // The agent sees the person's reply as part of the conversation and answers the next message.
    const conv = (await redis.lrange(keys.conversationMessages(c), 0, -1)).map((m) => JSON.parse(m) as { role: string; content: string });
    expect(conv).toContainEqual({ role: 'assistant', content: 'Hello, I am Mei.' });
    const next = await acceptMessage(deps, msg(c, 'thanks, one more question'), AS_TELEGRAM);
    expect(next).toMatchObject({ ok: true, status: 'queued' });
    if (next.ok) expect(await queues.reasoning.getJob(`${next.queryId}:t0:reason`)).toBeTruthy();
  });

  it('does not enqueue a delivery for pull channels (api, web): the reply is read from its query', async () => {
    const hid = await handOff(`c_web_${Date.now()}`, 'web');
    await handoffs.act(hid, { type: 'claim', operator: 'mei' });
    const r = await handoffs.act(hid, { type: 'reply', operator: 'mei' }, { text: 'Hi from Mei' });
    if (!r.ok) throw new Error('refused');
    expect(r.jobs).toEqual([]);
    expect((await deps.queries.get(r.replyQueryId!))).toMatchObject({ status: 'completed', answer: 'Hi from Mei' });
  });
});

describe('the handoff list', () => {
  it('pages newest first over 250+ handoffs; a new one is on the first page', async () => {
    const p2 = uniquePrefix('hlist');
    const k2 = createKeys(p2);
    const store = new HandoffStore(redis, k2);
    const base = 1_700_000_000_000;
    for (let i = 0; i < 260; i++) {
      // Pairs share a millisecond: the cursor must not lose ties.
      await store.create({ queryId: `h${String(i).padStart(3, '0')}`, conversationId: `c${i}`, summary: '', reason: 'handoff', traceId: 't', language: i % 2 ? 'zh' : 'en' }, { channel: i % 3 ? 'telegram' : 'web' }, base + Math.floor(i / 2));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await store.list({}, { cursor, limit: 50 });
      seen.push(...page.handoffs.map((h) => h.queryId));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(260);
    expect(new Set(seen).size).toBe(260);
    expect(seen[0]).toBe('h259');
    expect(seen.at(-1)).toBe('h000');
    await store.create({ queryId: 'hnew', conversationId: 'cn', summary: '', reason: 'handoff', traceId: 't', language: 'en' }, { channel: 'web' }, base + 10_000);
    expect((await store.list({}, { limit: 1 })).handoffs[0]?.queryId).toBe('hnew');
    const zh = await store.list({ language: 'zh', channel: 'telegram' }, { limit: 200 });
    expect(zh.handoffs.length).toBeGreaterThan(0);
    expect(zh.handoffs.every((h) => h.language === 'zh' && h.channel === 'telegram')).toBe(true);
    const old = await store.list({ unclaimedOlderThanMin: 5 }, { limit: 200 }, base + 5 * 60_000 + 1);
    expect(old.handoffs.map((h) => h.queryId)).toEqual(['h003', 'h002', 'h001', 'h000']);
    await deletePrefix(url, p2);
  });
});

describe('the handoff SLA and retention sweep', () => {
  it('tells the customer once that a person is coming when nobody claims in time; claimed ones are left alone', async () => {
    const late = await handOff(`c_sla_${Date.now()}`);
    const taken = await handOff(`c_sla2_${Date.now()}`);
    await handoffs.act(taken, { type: 'claim', operator: 'mei' });
    const created = (await handoffs.get(late))!.createdMs;
    expect((await handoffs.sweep({ slaMs: 60_000, retentionMs: 3_600_000 }, created + 59_000)).breached).not.toContain(late);
    const s = await handoffs.sweep({ slaMs: 60_000, retentionMs: 3_600_000 }, created + 61_000);
    expect(s.breached).toContain(late);
    expect(s.breached).not.toContain(taken);
    expect(s.jobs.filter((j) => j.includes(`${late}_sla`))).toHaveLength(1);
    expect((await deps.queries.get(`${late}_sla`))?.answer).toMatch(/shortly/);
    const again = await handoffs.sweep({ slaMs: 60_000, retentionMs: 3_600_000 }, created + 120_000);
    expect(again.breached).not.toContain(late);
    expect((await handoffs.messages(late)).filter((m) => m.from === 'system')).toHaveLength(1);
    const events = await redis.xrange(keys.events, '-', '+');
    expect(events.filter(([, f]) => f[1]!.includes('"handoff.sla_breached"') && f[1]!.includes(late))).toHaveLength(1);
  });

  it('prunes closed handoffs after the retention time, keeps open ones', async () => {
    const closed = await handOff(`c_ret_${Date.now()}`);
    const open = await handOff(`c_ret2_${Date.now()}`);
    await handoffs.act(closed, { type: 'claim', operator: 'mei' });
    const t = Date.now();
    await handoffs.act(closed, { type: 'resolve', operator: 'mei' }, {}, t);
    await handoffs.sweep({ slaMs: 3_600_000, retentionMs: 60_000 }, t + 30_000);
    expect(await handoffs.get(closed)).not.toBeNull();
    const s = await handoffs.sweep({ slaMs: 3_600_000, retentionMs: 60_000 }, t + 61_000);
    expect(s.pruned).toBeGreaterThanOrEqual(1);
    expect(await handoffs.get(closed)).toBeNull();
    expect(await handoffs.get(open)).not.toBeNull();
    expect(await redis.zscore(keys.handoffs, closed)).toBeNull();
  });
});

describe('an operator takes a conversation over', () => {
  it('only when the agent is not answering; the person then owns it and the customer is held', async () => {
    const c = `c_take_${Date.now()}`;
    const a = await acceptMessage(deps, msg(c, 'where is my order'), AS_TELEGRAM);
    if (!a.ok) throw new Error('refused');
    expect(await handoffs.takeOver(c, 'mei')).toMatchObject({ ok: false, code: 'conversation_busy' });
    const q = (await deps.queries.get(a.queryId))!;
    await endQuery({ queries: deps.queries, outbox: new Outbox(redis, keys, queues) }, q, { outcome: 'answered', reason: 'answered', state: 'completed', answer: 'On its way.' });
    const t = await handoffs.takeOver(c, 'mei');
    if (!t.ok) throw new Error(t.code);
    expect(t.record).toMatchObject({ state: 'claimed', claimedBy: 'mei', channel: 'telegram', recipient: '42', reason: 'operator' });
    expect(await handoffs.takeOver(c, 'li')).toMatchObject({ ok: false, code: 'already_owned' });
    expect(await acceptMessage(deps, msg(c, 'thanks'), AS_TELEGRAM)).toMatchObject({ ok: true, status: 'held', handoffId: t.record.queryId });
    expect(await handoffs.takeOver('c_nobody', 'mei')).toMatchObject({ ok: false, code: 'conversation_not_found' });
  });
});
