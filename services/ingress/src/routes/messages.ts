import type { FastifyInstance } from 'fastify';
import { PostMessageBody } from '@steward/core';
import { acceptMessage, type IntakeDeps } from '@steward/store';
import { sendError } from '../errors.ts';
import type { Authenticator } from '../auth.ts';
import { withRedisDeadline } from '../redis-unavailable.ts';

export function messageRoutes(app: FastifyInstance, deps: IntakeDeps, auth: Authenticator, redisDeadlineMs: number): void {
  app.post('/v1/messages', async (req, reply) => {
    const who = auth.caller(req);
    if (!who) return sendError(reply, 401, 'unauthorized', 'missing or invalid API key');
    const parsed = PostMessageBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
      return sendError(reply, 400, 'invalid_request', 'the message failed validation', details);
    }
    if (who.channel && who.channel !== parsed.data.channel) {
      return sendError(reply, 403, 'channel_forbidden', `this key may only post to channel ${who.channel}`);
    }
    // A stalled Redis answers 503 + Retry-After through the app's error handler, never a hang.
    const r = await withRedisDeadline(acceptMessage(deps, parsed.data, { traceparent: headerOf(req.headers.traceparent) }), redisDeadlineMs, 'intake');
    if (!r.ok) {
      if ('retryAfterSec' in r) {
        reply.header('retry-after', String(Math.max(1, Math.ceil(r.retryAfterSec))));
        return sendError(reply, 429, r.code, r.message);
      }
      return sendError(reply, 409, r.code, r.message);
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
