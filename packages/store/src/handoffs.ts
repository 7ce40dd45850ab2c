import type { Redis } from 'ioredis';
import { z } from 'zod';
import { DEFAULTS, jobIds, LanguageSchema, newId, newTraceId, text as textOf, type HandoffJob } from '@steward/core';
import { decideOperatorAction, HANDOFF_STATES, type HandoffState, type OperatorAction } from '@steward/control';
import type { Keys } from './keys.ts';
import { HANDOFF_ACT, HANDOFF_TAKE_OVER } from './handoff-lua.ts';
import { outboxMember } from './outbox.ts';
import { toEvent } from './events.ts';

const num = z.coerce.number();
const optStr = z.string().optional();

/** The handoff hash `{prefix}:hrec:{queryId}` as stored; its id is the query that handed off. */
export const HandoffRecord = z.object({
  queryId: z.string(),
  conversationId: z.string(),
  customerId: optStr,
  channel: z.string().default('api'),
  recipient: optStr,
  summary: z.string().default(''),
  reason: z.string(),
  traceId: z.string(),
  language: LanguageSchema,
  createdMs: num,
  state: z.enum(HANDOFF_STATES as [HandoffState, ...HandoffState[]]).default('open'),
  claimedBy: optStr,
  claimedMs: num.optional(),
  closedMs: num.optional(),
  updatedMs: num.optional(),
  lastCustomerMs: num.optional(),
});
export type HandoffRecord = z.infer<typeof HandoffRecord>;

/** One entry of what was said while a person owned the conversation. */
export const HandoffEntry = z.object({
  /** `system`: what steward itself told the customer (the SLA notice). */
  from: z.enum(['customer', 'operator', 'note', 'system']),
  text: z.string(),
  ts: z.number(),
  operator: z.string().optional(),
  queryId: z.string().optional(),
});
export type HandoffEntry = z.infer<typeof HandoffEntry>;

export interface HandoffFilter {
  state?: HandoffState | undefined;
  channel?: string | undefined;
  language?: 'en' | 'zh' | undefined;
  /** Only open (unclaimed) handoffs created at least this many minutes ago. */
  unclaimedOlderThanMin?: number | undefined;
}

export type ActResult =
  | { ok: true; record: HandoffRecord; replyQueryId?: string; jobs: string[]; duplicate: boolean }
  | { ok: false; code: 'handoff_not_found' | 'not_claimed' | 'already_claimed' | 'not_owner' | 'closed' | 'conflict'; message: string };

/** The channels whose answers the deliveries role pushes; api and web read them from the query. */
const PULL_CHANNELS = new Set(['api', 'web']);

/** Handoff records, their messages and the operator actions on them (each one atomic step). */
export class HandoffStore {
  private readonly redis: Redis;
  private readonly keys: Keys;

  constructor(redis: Redis, keys: Keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Record a handoff once (the `handoff` job may be redelivered). Returns whether this call created it. */
  async create(job: HandoffJob, ctx: { channel: string; recipient?: string | undefined }, now: number = Date.now()): Promise<boolean> {
    const key = this.keys.handoff(job.queryId);
    if (!(await this.redis.hsetnx(key, 'queryId', job.queryId))) return false;
    await this.redis
      .multi()
      .hset(key, {
        conversationId: job.conversationId,
        customerId: job.customerId ?? '',
        channel: ctx.channel,
        ...(ctx.recipient ? { recipient: ctx.recipient } : {}),
        summary: job.summary,
        reason: job.reason,
        traceId: job.traceId,
        language: job.language,
        createdMs: now,
        state: 'open',
      })
      .expire(key, DEFAULTS.handoffTtlSec)
      .zadd(this.keys.handoffs, now, job.queryId)
      .zadd(this.keys.handoffsUnclaimed, now, job.queryId)
      // The indexes list only records that may still exist (a record lives handoffTtlSec at most),
      // and expire when no handoff came for that long: Redis stays bounded without the sweeper.
      .zremrangebyscore(this.keys.handoffs, '-inf', now - DEFAULTS.handoffTtlSec * 1000)
      .zremrangebyscore(this.keys.handoffsUnclaimed, '-inf', now - DEFAULTS.handoffTtlSec * 1000)
      .expire(this.keys.handoffs, DEFAULTS.handoffTtlSec)
      .expire(this.keys.handoffsUnclaimed, DEFAULTS.handoffTtlSec)
      .exec();
    return true;
  }

  async get(id: string): Promise<HandoffRecord | null> {
    const h = await this.redis.hgetall(this.keys.handoff(id));
    if (!h.queryId) return null;
    const r = HandoffRecord.safeParse(h);
    return r.success ? r.data : null;
  }

  async messages(id: string): Promise<HandoffEntry[]> {
    const raw = await this.redis.lrange(this.keys.handoffMessages(id), 0, -1);
    return raw.flatMap((s) => {
      const r = HandoffEntry.safeParse(JSON.parse(s));
      return r.success ? [r.data] : [];
    });
  }

  /**
   * Newest first, `limit` per page. The cursor is the last item's `{createdMs}:{id}`: a page
   * starts strictly after it, so handoffs created meanwhile never shift a page and old ones
   * never hide new ones (the first page always starts at the newest).
   */
  async list(f: HandoffFilter, page: { cursor?: string | undefined; limit: number }, now: number = Date.now()): Promise<{ handoffs: HandoffRecord[]; nextCursor: string | null }> {
    const [cScore, cId] = parseCursor(page.cursor);
    const out: HandoffRecord[] = [];
    let max = cScore === null ? '+inf' : String(cScore);
    let skipThrough = cId;
    let skipScore = cScore;
    // Filters apply after the index: scan in batches, at most this many records per request.
    let budget = 5000;
    let lastScanned: string | null = null;
    while (out.length < page.limit && budget > 0) {
      const batch = await this.redis.zrevrangebyscore(this.keys.handoffs, max, '-inf', 'WITHSCORES', 'LIMIT', 0, 200);
      if (batch.length === 0) { lastScanned = null; break; }
      const pairs: [string, number][] = [];
      for (let i = 0; i < batch.length; i += 2) pairs.push([batch[i]!, Number(batch[i + 1])]);
      // Ties on the same millisecond come in reverse id order: skip those at or before the cursor.
      const fresh = pairs.filter(([id, s]) => !(skipScore !== null && s === skipScore && skipThrough !== null && id >= skipThrough));
      if (fresh.length === 0) {
        if (pairs.length < 200) { lastScanned = null; break; }
        const lowest = pairs[pairs.length - 1]!;
        max = `(${lowest[1]}`; skipScore = null; skipThrough = null;
        continue;
      }
      const recs = await Promise.all(fresh.map(([id]) => this.get(id)));
      let stopped = false;
      for (let i = 0; i < fresh.length; i++) {
        budget--;
        const [id, score] = fresh[i]!;
        lastScanned = `${score}:${id}`;
        const r = recs[i];
        if (r && matches(r, f, now)) out.push(r);
        if (out.length >= page.limit) { stopped = true; break; }
      }
      if (stopped) break;
      if (pairs.length < 200) { lastScanned = null; break; }
      const last = fresh[fresh.length - 1]!;
      max = String(last[1]); skipScore = last[1]; skipThrough = last[0];
    }
    return { handoffs: out, nextCursor: out.length >= page.limit || budget <= 0 ? lastScanned : null };
  }

  /**
   * Apply one operator action: decide from the record as loaded (control), then apply in one
   * script that refuses if the record moved meanwhile (retried from a fresh load). A reply
   * becomes a query record of its own (`{handoffId}_r_{replyId}`) with the operator's text as
   * its answer, and on push channels a delivery job with that query's deterministic id: the
   * deliveries role sends it exactly once, like any answer.
   */
  async act(id: string, action: OperatorAction, body: { text?: string; replyId?: string } = {}, now: number = Date.now()): Promise<ActResult> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const h = await this.get(id);
      if (!h) return { ok: false, code: 'handoff_not_found', message: 'no such handoff' };
      const d = decideOperatorAction({ state: h.state, claimedBy: h.claimedBy || undefined }, action);
      if (!d.ok) return d;
      const text = body.text ?? '';
      const replyQueryId = action.type === 'reply' ? `${id}_r_${body.replyId ?? `${now.toString(36)}${Math.random().toString(36).slice(2, 8)}`}` : undefined;
      const entry: HandoffEntry | null =
        action.type === 'reply' ? { from: 'operator', text, ts: now, operator: action.operator, ...(replyQueryId ? { queryId: replyQueryId } : {}) }
        : action.type === 'note' ? { from: 'note', text, ts: now, operator: action.operator }
        : null;
      const jobs: string[] = [];
      if (replyQueryId && !PULL_CHANNELS.has(h.channel)) {
        jobs.push(outboxMember('deliveries', jobIds.delivery(replyQueryId), {
          queryId: replyQueryId,
          conversationId: h.conversationId,
          channel: h.channel,
          ...(h.recipient ? { recipient: h.recipient } : {}),
        }));
      }
      // The reply is readable by the principal that owns the conversation (the customer's side).
      const principal = replyQueryId ? await this.redis.hget(this.keys.conversation(h.conversationId), 'owner') : null;
      const replyFields = replyQueryId
        ? {
            ...(principal ? { principal } : {}),
            queryId: replyQueryId, conversationId: h.conversationId, channel: h.channel, text: '', language: h.language,
            status: 'completed', state: 'handed_off', outcome: 'handoff', reason: 'handoff', answer: text, traceId: h.traceId,
            createdMs: now, completedMs: now, handoffId: id, operator: action.operator,
            ...(h.customerId ? { customerId: h.customerId } : {}), ...(h.recipient ? { recipient: h.recipient } : {}),
          }
        : null;
      const timeField = d.releasesConversation ? 'closedMs' : d.to === 'claimed' ? 'claimedMs' : '';
      const head = { id: `${id}:${action.type}:${replyQueryId ?? now}`, queryId: id, conversationId: h.conversationId, traceId: h.traceId, ts: now };
      const common = { handoffId: id, state: d.to, operator: action.operator };
      // A reply or a note is a message of the conversation; every other action updates the handoff.
      const event =
        action.type === 'reply' || action.type === 'note'
          ? toEvent({ ...head, type: 'handoff.message', data: { ...common, action: action.type, ...(replyQueryId ? { replyQueryId } : {}) } })
          : toEvent({
              ...head,
              type: 'handoff.updated',
              data: {
                ...common,
                action: action.type,
                ...(action.type === 'transfer' ? { to: action.to } : {}),
                // Wait (created → claimed) and handling (claimed → closed) times, for the metrics.
                ...(action.type === 'claim' && h.state === 'open' ? { waitMs: now - h.createdMs } : {}),
                ...(d.releasesConversation && h.claimedMs ? { handlingMs: now - h.claimedMs } : {}),
              },
            });
      const r = (await this.redis.eval(
        HANDOFF_ACT,
        5,
        this.keys.handoff(id),
        this.keys.handoffMessages(id),
        this.keys.conversation(h.conversationId),
        this.keys.conversationMessages(h.conversationId),
        replyQueryId ? this.keys.query(replyQueryId) : '',
        h.state,
        h.claimedBy ?? '',
        d.to,
        d.claimedBy ?? '',
        d.releasesConversation ? '1' : '',
        entry ? JSON.stringify(entry) : '',
        // The agent sees the person's replies as its own turns after the hand-back.
        action.type === 'reply' ? JSON.stringify({ role: 'assistant', content: text }) : '',
        replyFields ? JSON.stringify(replyFields) : '',
        JSON.stringify(jobs),
        this.keys.prefix,
        now,
        JSON.stringify(event),
        DEFAULTS.handoffTtlSec,
        timeField,
        id,
        DEFAULTS.eventsStreamMaxLen,
      )) as string[];
      if (r[0] === 'stale') continue;
      const record = (await this.get(id)) ?? h;
      if (r[0] === 'duplicate') return { ok: true, record, jobs: [], duplicate: true, ...(replyQueryId ? { replyQueryId } : {}) };
      return { ok: true, record, jobs: r.slice(1), duplicate: false, ...(replyQueryId ? { replyQueryId } : {}) };
    }
    return { ok: false, code: 'conflict', message: 'the handoff kept changing; retry' };
  }
  /**
   * An operator takes over a conversation the agent was handling (see HANDOFF_TAKE_OVER): the
   * handoff starts claimed by them. `busy` = a query is running; retry after its answer.
   */
  async takeOver(conversationId: string, operator: string, now: number = Date.now()): Promise<
    { ok: true; record: HandoffRecord } | { ok: false; code: 'already_owned' | 'conversation_busy' | 'conversation_not_found'; message: string }
  > {
    const id = newId('h');
    const traceId = newTraceId();
    const r = (await this.redis.eval(
      HANDOFF_TAKE_OVER, 3,
      this.keys.conversation(conversationId), this.keys.conversationQueries(conversationId), this.keys.handoff(id),
      id, conversationId, operator, now, this.keys.prefix, DEFAULTS.handoffTtlSec, traceId,
    )) as string[];
    if (r[0] === 'owned') return { ok: false, code: 'already_owned', message: 'a person already owns this conversation' };
    if (r[0] === 'busy') return { ok: false, code: 'conversation_busy', message: 'the agent is answering; retry after its answer' };
    if (r[0] === 'missing') return { ok: false, code: 'conversation_not_found', message: 'no such conversation' };
    const event = toEvent({ id: `${id}:created`, type: 'handoff.created', queryId: id, conversationId, traceId, ts: now, data: { reason: 'operator', handoffId: id, operator } });
    await this.redis
      .multi()
      .xadd(this.keys.events, 'MAXLEN', '~', String(DEFAULTS.eventsStreamMaxLen), '*', 'e', JSON.stringify(event))
      .publish(this.keys.handoffLive, JSON.stringify(event))
      // The customer's side learns that a person has taken the conversation.
      .publish(this.keys.conversationChannel(conversationId), JSON.stringify(event))
      .exec();
    return { ok: true, record: (await this.get(id))! };
  }

  /**
   * The SLA and retention sweep (run by the controller's sweeper). Every handoff still unclaimed
   * `slaMs` after it was created raises `handoff.sla_breached` and tells the customer, once, in
   * their language, that a person is coming (a query record `{id}_sla` delivered like a reply:
   * the record's existence is the once-guard). Closed handoffs older than `retentionMs` are deleted.
   * Returns the members to relay.
   */
  async sweep(o: { slaMs: number; retentionMs: number }, now: number = Date.now()): Promise<{ breached: string[]; pruned: number; jobs: string[] }> {
    const due = await this.redis.zrangebyscore(this.keys.handoffsUnclaimed, '-inf', now - o.slaMs, 'LIMIT', 0, 100);
    const breached: string[] = [];
    const jobs: string[] = [];
    for (const id of due) {
      const h = await this.get(id);
      if (!h || h.state !== 'open') {
        await this.redis.zrem(this.keys.handoffsUnclaimed, id);
        continue;
      }
      const noticeId = `${id}_sla`;
      const notice = textOf('handoffWaiting', h.language);
      const member = PULL_CHANNELS.has(h.channel)
        ? []
        : [outboxMember('deliveries', jobIds.delivery(noticeId), { queryId: noticeId, conversationId: h.conversationId, channel: h.channel, ...(h.recipient ? { recipient: h.recipient } : {}) })];
      const event = toEvent({
        id: `${id}:sla`, type: 'handoff.sla_breached', queryId: id, conversationId: h.conversationId, traceId: h.traceId, ts: now,
        data: { handoffId: id, waitMs: now - h.createdMs, slaMs: o.slaMs, channel: h.channel, noticeQueryId: noticeId },
      });
      const principal = await this.redis.hget(this.keys.conversation(h.conversationId), 'owner');
      const r = (await this.redis.eval(
        HANDOFF_ACT, 5,
        this.keys.handoff(id), this.keys.handoffMessages(id), this.keys.conversation(h.conversationId), this.keys.conversationMessages(h.conversationId), this.keys.query(noticeId),
        'open', '', 'open', '', '',
        JSON.stringify({ from: 'system', text: notice, ts: now, queryId: noticeId } satisfies HandoffEntry), '',
        JSON.stringify({
          queryId: noticeId, conversationId: h.conversationId, channel: h.channel, text: '', language: h.language, status: 'completed', state: 'handed_off',
          outcome: 'handoff', reason: 'handoff', answer: notice, traceId: h.traceId, createdMs: now, completedMs: now, handoffId: id,
          ...(principal ? { principal } : {}),
          ...(h.customerId ? { customerId: h.customerId } : {}), ...(h.recipient ? { recipient: h.recipient } : {}),
        }),
        JSON.stringify(member), this.keys.prefix, now, JSON.stringify(event), DEFAULTS.handoffTtlSec, 'slaNotifiedMs', id, DEFAULTS.eventsStreamMaxLen,
      )) as string[];
      // Told once: it leaves the SLA index whatever the script found (claimed meanwhile, told before).
      await this.redis.zrem(this.keys.handoffsUnclaimed, id);
      if (r[0] === 'ok') {
        breached.push(id);
        jobs.push(...r.slice(1));
      }
    }
    const old = await this.redis.zrangebyscore(this.keys.handoffsClosed, '-inf', now - o.retentionMs, 'LIMIT', 0, 500);
    if (old.length > 0) {
      const m = this.redis.multi();
      for (const id of old) m.del(this.keys.handoff(id), this.keys.handoffMessages(id));
      m.zrem(this.keys.handoffs, ...old).zrem(this.keys.handoffsClosed, ...old);
      await m.exec();
    }
    return { breached, pruned: old.length, jobs };
  }
}

function parseCursor(c: string | undefined): [number | null, string | null] {
  const m = c ? /^(\d+):(.+)$/.exec(c) : null;
  return m ? [Number(m[1]), m[2]!] : [null, null];
}

function matches(r: HandoffRecord, f: HandoffFilter, now: number): boolean {
  if (f.state && r.state !== f.state) return false;
  if (f.channel && r.channel !== f.channel) return false;
  if (f.language && r.language !== f.language) return false;
  if (f.unclaimedOlderThanMin !== undefined && (r.state !== 'open' || now - r.createdMs < f.unclaimedOlderThanMin * 60_000)) return false;
  return true;
}
