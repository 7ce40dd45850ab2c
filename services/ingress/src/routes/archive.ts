// The operator API over the archive: search conversations, read one (transcript with steps),
// export it (JSON or readable text), erase a customer's data everywhere. The debug trace of a
// query falls back to the archive once Redis no longer has it (operators only: the archive
// outlives the conversation's ownership records).
import type { FastifyInstance } from 'fastify';
import {
  ConversationFilter,
  eraseCustomer,
  readArchivedEvents,
  readTranscript,
  searchConversations,
  transcriptText,
  type Db,
} from '@steward/archive';
import { formatIssues, type StewardEvent } from '@steward/core';
import type { IntakeDeps } from '@steward/store';
import type { DebugTraceContext } from './queries.ts';
import { sendError } from '../errors.ts';
import type { OperatorGuard } from './operator-guard.ts';

export interface ArchiveRouteOptions {
  /** Absent: no archive (no DATABASE_URL); erasure still clears Redis. */
  db?: Db | undefined;
  operator: OperatorGuard;
  /** Builds the debug trace of a query from its events (the same builder as the Redis path). */
  debugTrace: (events: StewardEvent[], ctx?: DebugTraceContext) => unknown;
}

const ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

export function archiveRoutes(o: ArchiveRouteOptions): (app: FastifyInstance, ctx: IntakeDeps) => void {
  return (app, ctx) => {
    const db = o.db;
    const unauthorized = 'operator credential required';

    app.delete<{ Params: { customerId: string } }>('/v1/customers/:customerId/data', async (req, reply) => {
      const op = o.operator(req);
      if (!op) return sendError(reply, 401, 'unauthorized', unauthorized);
      if (!ID.test(req.params.customerId)) return sendError(reply, 400, 'invalid_customer_id', 'malformed customer id');
      const report = await eraseCustomer({ db, redis: ctx.redis, keys: ctx.keys, requestedBy: op.name }, req.params.customerId);
      req.log.info({ erasureId: report.erasureId, rows: report.rowsRemoved, redisKeys: report.redisKeysDeleted }, 'customer data erased');
      return { erased: true, ...report };
    });

    if (!db) return;

    app.get('/v1/conversations', async (req, reply) => {
      if (!o.operator(req)) return sendError(reply, 401, 'unauthorized', unauthorized);
      const f = ConversationFilter.safeParse(req.query);
      if (!f.success) return sendError(reply, 400, 'invalid_request', formatIssues(f.error));
      return searchConversations(db, f.data);
    });

    app.get<{ Params: { id: string } }>('/v1/conversations/:id', async (req, reply) => {
      if (!o.operator(req)) return sendError(reply, 401, 'unauthorized', unauthorized);
      if (!ID.test(req.params.id)) return sendError(reply, 400, 'invalid_conversation_id', 'malformed conversation id');
      const t = await readTranscript(db, req.params.id);
      if (!t) return sendError(reply, 404, 'conversation_not_found', 'no such conversation in the archive');
      return t;
    });

    app.get<{ Params: { id: string }; Querystring: { format?: string } }>('/v1/conversations/:id/export', async (req, reply) => {
      if (!o.operator(req)) return sendError(reply, 401, 'unauthorized', unauthorized);
      if (!ID.test(req.params.id)) return sendError(reply, 400, 'invalid_conversation_id', 'malformed conversation id');
      const format = req.query.format ?? 'json';
      if (format !== 'json' && format !== 'text') return sendError(reply, 400, 'invalid_format', 'format is json or text');
      const t = await readTranscript(db, req.params.id);
      if (!t) return sendError(reply, 404, 'conversation_not_found', 'no such conversation in the archive');
      const name = `conversation-${req.params.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      if (format === 'text') {
        return reply
          .header('content-type', 'text/plain; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.txt"`)
          .send(transcriptText(t));
      }
      return reply.header('content-disposition', `attachment; filename="${name}.json"`).send(t);
    });

    // GET /v1/traces/:id is served from Redis by the query routes; when Redis has nothing for
    // that query any more, an operator gets it rebuilt from the archive instead of a 404.
    app.addHook('preHandler', async (req, reply) => {
      if (req.method !== 'GET' || req.routeOptions.url !== '/v1/traces/:id') return;
      const id = (req.params as { id?: string }).id ?? '';
      if (!ID.test(id) || !o.operator(req)) return;
      if ((await ctx.redis.exists(ctx.keys.queryEvents(id))) > 0) return;
      const events = await readArchivedEvents(db, id);
      if (events.length === 0) return;
      return reply.send({ ...(o.debugTrace(events as StewardEvent[]) as object), source: 'archive' });
    });
  };
}
