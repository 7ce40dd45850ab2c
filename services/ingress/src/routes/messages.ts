import type { FastifyInstance } from 'fastify';
import { PostMessageBody } from '@steward/core';
import { acceptMessage, checkMessage, type IntakeDeps } from '@steward/store';
import { sendError } from '../errors.ts';
import type { Authenticator } from '../auth.ts';
import { withRedisDeadline } from '../redis-unavailable.ts';

export function messageRoutes(app: FastifyInstance, deps: IntakeDeps, auth: Authenticator, redisDeadlineMs: number): void {
  app.post('/v1/messages', async (req, reply) => {
    const who = auth.principal(req);
    if (!who) return sendError(reply, 401, 'unauthorized', 'missing or invalid API key');
    const parsed = PostMessageBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
      return sendError(reply, 400, 'invalid_request', 'the message failed validation', details);
    }
    const msg = parsed.data;
    // A key bound to one channel posts there when the body names none.
    const named = typeof req.body === 'object' && req.body !== null && 'channel' in req.body;
    if (!named && who.channels.size === 1) msg.channel = [...who.channels][0]!;
    const allowed = checkMessage(who, msg, { viaApi: true });
    if (!allowed.ok) return sendError(reply, allowed.status, allowed.code, allowed.message);
    // A stalled Redis answers 503 + Retry-After through the app's error handler, never a hang.
    const r = await withRedisDeadline(acceptMessage(deps, msg, { sender: { principal: who.id }, traceparent: headerOf(req.headers.traceparent) }), redisDeadlineMs, 'intake');
    if (!r.ok) {
      if ('retryAfterSec' in r) {
        reply.header('retry-after', String(Math.max(1, Math.ceil(r.retryAfterSec))));
        return sendError(reply, 429, r.code, r.message);
      }
      return sendError(reply, 403, r.code, r.message);
    }
    return reply.code(202).send({
      queryId: r.queryId,
      conversationId: r.conversationId,
      status: r.status,
      duplicate: r.duplicate,
      traceId: r.traceId,
    });
  });
}

function headerOf(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}
