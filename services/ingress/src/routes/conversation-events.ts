import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ID_PATTERN } from '@steward/core';
import { canRead, HandoffStore, markWatched, type Keys, type Principal, type QueryStore } from '@steward/store';
import { sendError } from '../errors.ts';
import type { Authenticator } from '../auth.ts';
import { principalOf, type LiveEvents } from '../live-events.ts';
import { openEventStream } from './event-stream.ts';

export interface ConversationEventDeps {
  redis: Redis;
  keys: Keys;
  queries: QueryStore;
  live: LiveEvents;
}

/** A handoff event as the store publishes it on the conversation's channel (only what is read here). */
const HandoffLive = z.object({
  type: z.string(),
  ts: z.number(),
  data: z
    .object({
      handoffId: z.string().optional(),
      action: z.string().optional(),
      state: z.string().optional(),
      replyQueryId: z.string().optional(),
      noticeQueryId: z.string().optional(),
      operator: z.string().optional(),
    })
    .default({}),
});

/** Operator actions the customer is told about (a note is internal; a transfer changes nothing for them). */
const STATE_ACTIONS = new Set(['claim', 'resolve', 'hand_back']);

/**
 * A person's message to the customer (`handoff.reply`) or steward's own (`handoff.notice`, the SLA
 * notice). Its id is the query record that carries the text, so a reconnecting client resumes
 * after it (Last-Event-ID) and a client shows each one once.
 */
interface Said {
  event: 'handoff.reply' | 'handoff.notice';
  id: string;
  handoffId: string;
  ts: number;
}

/**
 * `GET /v1/conversations/:id/events`: what the customer's side of a conversation receives besides
 * the answers of its own queries (each followed on `/v1/queries/:id/events`): the replies of the
 * person who owns the conversation, the "a person is coming" notice, and the claim / resolve /
 * hand-back of the handoff. Only the principal that owns the conversation (or an operator) may
 * follow it; for anyone else it does not exist.
 */
export function conversationEventRoutes(app: FastifyInstance, deps: ConversationEventDeps, auth: Authenticator): void {
  const handoffs = new HandoffStore(deps.redis, deps.keys);

  app.get<{ Params: { id: string }; Querystring: { key?: string } }>('/v1/conversations/:id/events', async (req, reply) => {
    // EventSource cannot set headers, so the web chat passes its key as ?key=.
    if (req.query.key && !req.headers.authorization) req.headers.authorization = `Bearer ${req.query.key}`;
    const who = auth.principal(req);
    if (!who) return sendError(reply, 401, 'unauthorized', 'missing or invalid API key');
    const conversationId = req.params.id;
    if (!ID_PATTERN.test(conversationId)) return sendError(reply, 400, 'invalid_conversation_id', 'malformed conversation id');
    const [owner, currentHandoff] = await deps.redis.hmget(deps.keys.conversation(conversationId), 'owner', 'handoffId');
    // The one ownership rule (store/ownership.ts): the owning principal, or an operator.
    if (!owner || !canRead(who, { principal: owner })) return sendError(reply, 404, 'conversation_not_found', 'no such conversation');
    // Counted per key and conversation, not per key: this stream stays open for as long as the
    // customer's page does, and every web-chat customer holds the same public key, so a per-key
    // cap would leave the 21st customer without the person's replies. The process-wide cap still
    // bounds them all.
    const slot = deps.live.acquire(`${principalOf(req.headers.authorization)}:${principalOf(conversationId)}`);
    if (!slot) {
      reply.header('retry-after', '5');
      return sendError(reply, 429, 'too_many_streams', 'too many open event streams for this key; close one and retry');
    }

    // The customer's page is open: the conversation's answers are streamed to it (ADR 0032).
    const stream = openEventStream(req, reply, slot, { greet: true, markWatched: () => markWatched(deps.redis, deps.keys, conversationId) });
    const sent = new Set<string>();

    const say = async (s: Said) => {
      if (stream.done || sent.has(s.id)) return;
      sent.add(s.id);
      const text = await readableText(deps.queries, who, s.id);
      if (text === null) return;
      stream.write(`id: ${s.id}\nevent: ${s.event}\ndata: ${JSON.stringify({ id: s.id, handoffId: s.handoffId, text, ts: s.ts })}\n\n`);
    };
    // Frames go out in the order they arrive: each waits for the one before it.
    let chain = Promise.resolve();
    const enqueue = (f: () => Promise<void> | void) => {
      chain = chain.then(f).catch(() => stream.finish());
    };

    try {
      // Subscribe first, then replay: nothing said in between is missed (the ids de-duplicate).
      const unwatch = await deps.live.watchChannel(deps.keys.conversationChannel(conversationId), (json) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(json);
        } catch {
          return;
        }
        const e = HandoffLive.safeParse(parsed);
        if (!e.success) return;
        const d = e.data.data;
        const handoffId = d.handoffId ?? '';
        if (e.data.type === 'handoff.message' && d.action === 'reply' && d.replyQueryId) {
          const id = d.replyQueryId;
          enqueue(() => say({ event: 'handoff.reply', id, handoffId, ts: e.data.ts }));
        } else if (e.data.type === 'handoff.sla_breached' && d.noticeQueryId) {
          const id = d.noticeQueryId;
          enqueue(() => say({ event: 'handoff.notice', id, handoffId, ts: e.data.ts }));
        } else if ((e.data.type === 'handoff.updated' && d.action && STATE_ACTIONS.has(d.action) && d.state) || (e.data.type === 'handoff.created' && d.operator)) {
          // An operator's take-over creates the handoff already claimed by them.
          const state = d.state ?? 'claimed';
          // No id: a state change is not replayed, so a client never resumes from one.
          enqueue(() => {
            stream.write(`event: handoff.state\ndata: ${JSON.stringify({ handoffId, state, ts: e.data.ts })}\n\n`);
          });
        }
      });
      await stream.watching(unwatch);
      // What was said while the client was away: after its last seen message in that message's
      // handoff (ids are `{handoffId}_r_…` / `{handoffId}_sla`), and all of the current handoff.
      const lastId = headerOf(req.headers['last-event-id']);
      if (lastId) sent.add(lastId);
      const resumeIn = lastId ? handoffOfMessage(lastId) : null;
      for (const hid of [...new Set([resumeIn, currentHandoff].filter((h): h is string => !!h && ID_PATTERN.test(h)))]) {
        const entries = await handoffs.messages(hid);
        const at = hid === resumeIn ? entries.findIndex((m) => m.queryId === lastId) : -1;
        for (const m of entries.slice(at + 1)) {
          if (m.queryId && (m.from === 'operator' || m.from === 'system')) {
            const s: Said = { event: m.from === 'operator' ? 'handoff.reply' : 'handoff.notice', id: m.queryId, handoffId: hid, ts: m.ts };
            enqueue(() => say(s));
          }
        }
      }
      await chain;
    } catch {
      // Redis did not answer: the response is already hijacked, so end the stream (and free its slot).
      stream.finish();
    }
  });
}

/** The text of a person's or steward's message, when this principal may read the record that carries it. */
async function readableText(queries: QueryStore, who: Principal, queryId: string): Promise<string | null> {
  const q = await queries.get(queryId);
  return q && canRead(who, q) && q.answer ? q.answer : null;
}

/** The handoff a reply (`{handoffId}_r_{replyId}`) or an SLA notice (`{handoffId}_sla`) belongs to. */
export function handoffOfMessage(id: string): string | null {
  const m = /^(.+?)(?:_r_[A-Za-z0-9_-]+|_sla)$/.exec(id);
  return m ? m[1]! : null;
}

function headerOf(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}
