import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ObservationBuffer } from '@steward/telemetry';
import { PostMessageBody } from '@steward/core';
import { acceptMessage, checkMessage, type IntakeDeps } from '@steward/store';
import { sendError } from '../errors.ts';
import type { Authenticator } from '../auth.ts';
import { withRedisDeadline } from '../redis-unavailable.ts';

/** Outcome label of an answered message: what a client does next differs for each. */
function ackOutcome(status: number): 'accepted' | 'refused' | 'unavailable' {
  return status < 400 ? 'accepted' : status < 500 ? 'refused' : 'unavailable';
}

export function messageRoutes(app: FastifyInstance, deps: IntakeDeps, auth: Authenticator, redisDeadlineMs: number, acks?: ObservationBuffer): void {
  // The ack's server-side time (Fastify's clock starts when the request is routed): the client's
  // figure minus this one is the network, the kernel's queue and an event loop busy before routing.
  const onResponse = (_req: unknown, reply: FastifyReply, done: () => void): void => {
    acks?.observe([{ name: 'steward_ingress_ack_seconds', labels: { outcome: ackOutcome(reply.statusCode) }, value: reply.elapsedTime / 1000 }]);
    done();
  };
  app.post('/v1/messages', { onResponse }, async (req, reply) => {
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
