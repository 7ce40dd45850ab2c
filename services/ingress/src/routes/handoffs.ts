import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ID_PATTERN } from '@steward/core';
import { HANDOFF_STATES, type HandoffState, type OperatorAction } from '@steward/control';
import { HandoffStore, type ActResult, type Keys, type Outbox } from '@steward/store';
import { sendError } from '../errors.ts';
import type { Authenticator } from '../auth.ts';
import { requireOperator } from '../operator.ts';
import type { LiveEvents } from '../live-events.ts';
import { handoffContext } from './handoff-context.ts';

export interface HandoffRouteDeps {
  redis: Redis;
  keys: Keys;
  outbox: Outbox;
  live: LiveEvents;
}

const ListQuery = z.object({
  state: z.enum(HANDOFF_STATES as [HandoffState, ...HandoffState[]]).optional(),
  channel: z.string().max(32).optional(),
  language: z.enum(['en', 'zh']).optional(),
  unclaimedOlderThanMin: z.coerce.number().nonnegative().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const ActionBody = z.object({
  /** Who acts (until operator principals name them). */
  operator: z.string().optional(),
  /** Legacy name of `operator` on claim. */
  agent: z.string().optional(),
  text: z.string().min(1).max(4000).optional(),
  to: z.string().min(1).max(64).optional(),
  /** The caller's id of this reply: a retried POST sends it once. */
  replyId: z.string().regex(/^[A-Za-z0-9_-]{1,24}$/).optional(),
});
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const STATUS: Record<string, number> = { handoff_not_found: 404, already_claimed: 409, not_claimed: 409, not_owner: 403, closed: 409, conflict: 409 };

/** Operator actions on handoffs: list, read, claim, reply, note, transfer, resolve, hand back. */
export function handoffRoutes(app: FastifyInstance, deps: HandoffRouteDeps, auth: Authenticator): void {
  const store = new HandoffStore(deps.redis, deps.keys);

  app.get('/v1/handoffs', async (req, reply) => {
    if (!requireOperator(req, auth)) return sendError(reply, 401, 'unauthorized', 'operator credential required');
    const q = ListQuery.safeParse(req.query ?? {});
    if (!q.success) return sendError(reply, 400, 'invalid_request', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { cursor, limit, ...filter } = q.data;
    return store.list(filter, { cursor, limit });
  });

  // Live updates for the inbox: every handoff created, message, claim, close, SLA breach (ids and
  // states only; the inbox reads the texts through the API).
  app.get<{ Querystring: { key?: string } }>('/v1/handoffs/events', async (req, reply) => {
    // EventSource cannot set headers: the inbox passes its key as ?key=.
    if (req.query.key && !req.headers.authorization) req.headers.authorization = `Bearer ${req.query.key}`;
    if (!requireOperator(req, auth)) return sendError(reply, 401, 'unauthorized', 'operator credential required');
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    let done = false;
    // eslint-disable-next-line prefer-const
    let unwatch: (() => Promise<void>) | undefined;
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.raw.on('close', () => {
      done = true;
      clearInterval(heartbeat);
      void unwatch?.();
    });
    unwatch = await deps.live.watchChannel(deps.keys.handoffLive, (json) => {
      if (done) return;
      const e = JSON.parse(json) as { id: string; type: string; ts: number; data: Record<string, unknown> };
      const d = e.data;
      const pub = { type: e.type, ts: e.ts, handoffId: d.handoffId, action: d.action, state: d.state, from: d.from, operator: d.operator };
      res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(pub)}\n\n`);
    });
    if (done) await unwatch();
  });

  app.get<{ Params: { id: string } }>('/v1/handoffs/:id', async (req, reply) => {
    if (!requireOperator(req, auth)) return sendError(reply, 401, 'unauthorized', 'operator credential required');
    if (!ID.test(req.params.id)) return sendError(reply, 400, 'invalid_handoff_id', 'malformed handoff id');
    const h = await store.get(req.params.id);
    if (!h) return sendError(reply, 404, 'handoff_not_found', 'no such handoff');
    const [messages, context] = await Promise.all([store.messages(h.queryId), handoffContext(deps.redis, deps.keys, h)]);
    return { handoff: h, messages, context };
  });

  // An operator takes a conversation over from the agent (the handoff starts claimed by them).
  app.post<{ Params: { id: string } }>('/v1/conversations/:id/handoff', async (req, reply) => {
    const b = ActionBody.safeParse(req.body ?? {});
    if (!b.success) return sendError(reply, 400, 'invalid_request', b.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const who = requireOperator(req, auth, b.data.operator);
    if (!who) return sendError(reply, 401, 'unauthorized', 'operator credential required');
    // Conversation ids have the API's character set: platform ids (tg.<chat>.<user>) hold dots.
    if (!ID_PATTERN.test(req.params.id)) return sendError(reply, 400, 'invalid_conversation_id', 'malformed conversation id');
    const r = await store.takeOver(req.params.id, who.name);
    if (!r.ok) {
      if (r.code === 'conversation_busy') reply.header('retry-after', '2');
      return sendError(reply, r.code === 'conversation_not_found' ? 404 : 409, r.code, r.message);
    }
    return reply.code(201).send({ handoff: r.record });
  });

  const action = (path: string, build: (operator: string, body: z.infer<typeof ActionBody>) => OperatorAction | string) => {
    app.post<{ Params: { id: string } }>(`/v1/handoffs/:id/${path}`, async (req, reply) => {
      const b = ActionBody.safeParse(req.body ?? {});
      if (!b.success) return sendError(reply, 400, 'invalid_request', b.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const who = requireOperator(req, auth, b.data.operator ?? b.data.agent);
      if (!who) return sendError(reply, 401, 'unauthorized', 'operator credential required');
      if (!ID.test(req.params.id)) return sendError(reply, 400, 'invalid_handoff_id', 'malformed handoff id');
      const a = build(who.name, b.data);
      if (typeof a === 'string') return sendError(reply, 400, 'invalid_request', a);
      const r = await store.act(req.params.id, a, { ...(b.data.text ? { text: b.data.text } : {}), ...(b.data.replyId ? { replyId: b.data.replyId } : {}) });
      return respond(reply, r, deps.outbox);
    });
  };
  action('claim', (operator) => ({ type: 'claim', operator }));
  action('messages', (operator, b) => (b.text ? { type: 'reply', operator } : 'body must hold {"text": "…"}'));
  action('notes', (operator, b) => (b.text ? { type: 'note', operator } : 'body must hold {"text": "…"}'));
  action('transfer', (operator, b) => (b.to ? { type: 'transfer', operator, to: b.to } : 'body must hold {"to": "<operator>"}'));
  action('resolve', (operator) => ({ type: 'resolve', operator }));
  action('hand-back', (operator) => ({ type: 'hand_back', operator }));
}

async function respond(reply: FastifyReply, r: ActResult, outbox: Outbox) {
  if (!r.ok) return sendError(reply, STATUS[r.code] ?? 409, r.code, r.message);
  // Committed with the action; relayed now (the sweeper relays it if this process dies first).
  await outbox.relay(r.jobs);
  return { handoff: r.record, ...(r.replyQueryId ? { replyQueryId: r.replyQueryId } : {}), duplicate: r.duplicate };
}
