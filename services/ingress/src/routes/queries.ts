import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { canRead, markWatched, namesKnownInConversation, queryView, readQueryEvents, type Keys, type Principal, type QueryStore } from '@steward/store';
import type { StewardEvent } from '@steward/core';
import { sendError } from '../errors.ts';
import type { Authenticator } from '../auth.ts';
import { answerFrame, principalOf, readLiveMessage, type LiveEvents } from '../live-events.ts';
import { openEventStream } from './event-stream.ts';

/** What the ingress knows beyond the query's events when it builds a debug trace. */
export interface DebugTraceContext {
  /** Customer names the conversation's tools learned (known-names.ts): redacted without cues. */
  names?: readonly string[];
}

export interface QueryRouteDeps {
  redis: Redis;
  keys: Keys;
  queries: QueryStore;
  live: LiveEvents;
  /** Builds the debug trace of a query from its events (and the names its conversation learned). */
  debugTrace: (events: StewardEvent[], ctx?: DebugTraceContext) => unknown;
}

const QUERY_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function queryRoutes(app: FastifyInstance, deps: QueryRouteDeps, auth: Authenticator): void {
  /** The query when this principal may read it; another principal's query is "not found". */
  const readable = async (who: Principal, id: string) => {
    const q = await deps.queries.get(id);
    return q && canRead(who, q) ? q : null;
  };

  app.get<{ Params: { id: string } }>('/v1/queries/:id', async (req, reply) => {
    const who = auth.principal(req);
    if (!who) return sendError(reply, 401, 'unauthorized', 'missing or invalid API key');
    if (!QUERY_ID.test(req.params.id)) return sendError(reply, 400, 'invalid_query_id', 'malformed query id');
    const q = await readable(who, req.params.id);
    if (!q) return sendError(reply, 404, 'query_not_found', 'no such query');
    return queryView(q);
  });

  app.get<{ Params: { id: string } }>('/v1/traces/:id', async (req, reply) => {
    const who = auth.principal(req);
    if (!who) return sendError(reply, 401, 'unauthorized', 'missing or invalid API key');
    if (!QUERY_ID.test(req.params.id)) return sendError(reply, 400, 'invalid_query_id', 'malformed query id');
    // The record outlives nothing the trace needs: no readable record, no trace.
    const q = await readable(who, req.params.id);
    if (!q) return sendError(reply, 404, 'trace_not_found', 'no trace for this query');
    const events = await readQueryEvents(deps.redis, deps.keys, req.params.id);
    if (events.length === 0) return sendError(reply, 404, 'trace_not_found', 'no trace for this query');
    // A name the customer's earlier queries verified goes too, when this one repeats it uncued.
    const names = q.conversationId ? await namesKnownInConversation(deps.redis, deps.keys, q.conversationId) : [];
    return deps.debugTrace(events, { names });
  });

  // Server-sent events: replay what already happened, then push live until the answer.
  app.get<{ Params: { id: string }; Querystring: { key?: string } }>('/v1/queries/:id/events', async (req, reply) => {
    // EventSource cannot set headers, so the web chat passes its key as ?key=.
    if (req.query.key && !req.headers.authorization) req.headers.authorization = `Bearer ${req.query.key}`;
    const who = auth.principal(req);
    if (!who) return sendError(reply, 401, 'unauthorized', 'missing or invalid API key');
    if (!QUERY_ID.test(req.params.id)) return sendError(reply, 400, 'invalid_query_id', 'malformed query id');
    const q = await readable(who, req.params.id);
    if (!q) return sendError(reply, 404, 'query_not_found', 'no such query');
    const slot = deps.live.acquire(principalOf(req.headers.authorization));
    if (!slot) {
      reply.header('retry-after', '5');
      return sendError(reply, 429, 'too_many_streams', 'too many open event streams for this key; close one or poll GET /v1/queries/:id');
    }

    // A live watcher: this conversation's model calls are streamed from now on (ADR 0032).
    const stream = openEventStream(req, reply, slot, { markWatched: () => markWatched(deps.redis, deps.keys, q.conversationId) });
    const sent = new Set<string>();
    const send = (e: StewardEvent) => {
      if (stream.done || sent.has(e.id)) return;
      sent.add(e.id);
      stream.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(publicEvent(e))}\n\n`);
      // A message held for a person ends with `handoff.message`: the agent will not answer it.
      if (e.type === 'query.completed' || e.type === 'handoff.message') stream.finish();
    };
    try {
      await stream.watching(
        await deps.live.watch(q.queryId, (json) => {
          const m = readLiveMessage(json);
          if (m.kind === 'event') send(m.event);
          else if (m.kind === 'answer') stream.write(answerFrame(m.message));
        }),
      );
      for (const e of await readQueryEvents(deps.redis, deps.keys, q.queryId)) send(e);
    } catch {
      // Redis did not answer: the response is already hijacked, so end the stream (and free its
      // slot); the client reconnects.
      stream.finish();
    }
  });
}

/** What a customer-facing client may see of an event: no tool arguments or raw results. */
function publicEvent(e: StewardEvent): Record<string, unknown> {
  const d = e.data;
  switch (e.type) {
    case 'tool.call':
      return { type: e.type, ts: e.ts, tool: d.name, ok: d.ok, cacheHit: d.cacheHit, turn: d.turn };
    case 'llm.call':
      return { type: e.type, ts: e.ts, turn: d.turn, model: d.model };
    case 'query.completed':
      return { type: e.type, ts: e.ts, outcome: d.outcome, reason: d.reason, answer: d.answer, language: d.language };
    default:
      return { type: e.type, ts: e.ts };
  }
}
