// sim-llm: an OpenAI-compatible chat-completions server that plays a deterministic policy
// model. It is a TEST DOUBLE, not AI: keyword rules over the conversation, so that the demo,
// the tests and the benchmarks run without network. Real deployments point OPENAI_BASE_URL at
// a real provider instead.
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyReply } from 'fastify';
import { DEFAULTS, formatIssues } from '@steward/core';
import { availableTools, readConversation } from './conversation.ts';
import { drawDelay, drawFault, seededRandom } from './faults.ts';
import { FAULT_KINDS, parseFaults, parseLatency, type FaultKind, type FaultSpec, type LatencySpec } from './options.ts';
import { decide, MARKERS } from './policy/decide.ts';
import { ChatRequest } from './request-schema.ts';
import { buildCompletion } from './respond.ts';
import { completionChunks, writeStream } from './stream.ts';
import { warmUpTokenizer } from './tokens.ts';

export interface SimLlmOptions {
  /** 0 picks a free port. Default 3200. */
  port?: number;
  host?: string;
  /** "300", "300±100ms", or a parsed spec. Default none. */
  latency?: string | LatencySpec;
  /** "429:0.3,500:0.05,timeout:0.02,malformed:0.05", or a parsed spec. Default none. */
  faults?: string | FaultSpec;
  seed?: string | number;
  /** Retry-After of simulated 429s. Default 1000 ms. */
  retryAfterMs?: number;
  /** Streamed replies: pause between two chunks, so a client sees the text arrive. Default 0. */
  chunkDelayMs?: number;
}

export interface SimLlmStats {
  /** Chat-completion requests received, faulted ones included. */
  calls: number;
  faults: Record<FaultKind, number>;
  toolCallReplies: number;
  answerReplies: number;
  invalidRequests: number;
  /** Replies sent as a stream (`stream: true`). */
  streamedReplies: number;
  promptTokens: number;
  completionTokens: number;
}

export interface SimLlm {
  url: string;
  close(): Promise<void>;
  stats(): SimLlmStats;
}

export const SIM_MODEL_ENTRY = {
  id: DEFAULTS.llmModel,
  object: 'model',
  created: 0,
  owned_by: 'steward-sim-llm (deterministic test double, not AI)',
} as const;

const apiError = (reply: FastifyReply, status: number, type: string, message: string, code: string | null = null) =>
  reply.code(status).send({ error: { message, type, param: null, code } });

export async function startSimLlm(opts: SimLlmOptions = {}): Promise<SimLlm> {
  const latency = typeof opts.latency === 'object' ? opts.latency : parseLatency(opts.latency);
  const faults = typeof opts.faults === 'object' ? opts.faults : parseFaults(opts.faults);
  const random = seededRandom(opts.seed ?? 1);
  const retryAfterMs = opts.retryAfterMs ?? 1000;
  const held = new Set<Socket>();
  const stats: SimLlmStats = {
    calls: 0,
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
    toolCallReplies: 0,
    answerReplies: 0,
    invalidRequests: 0,
    streamedReplies: 0,
    promptTokens: 0,
    completionTokens: 0,
  };

  // No request logging: prompts carry customers' personal data.
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024, forceCloseConnections: true });

  const completions = async (body: unknown, reply: FastifyReply): Promise<unknown> => {
    stats.calls++;
    const fault = drawFault(faults, random());
    const delay = drawDelay(latency, random());
    const parsed = ChatRequest.safeParse(body);
    if (!parsed.success) {
      stats.invalidRequests++;
      return apiError(reply, 400, 'invalid_request_error', `invalid chat completion request: ${formatIssues(parsed.error)}`, 'invalid_request');
    }
    const req = parsed.data;
    if (delay > 0) await sleep(delay);
    if (fault) stats.faults[fault]++;
    if (fault === '429') {
      void reply.header('retry-after', String(Math.ceil(retryAfterMs / 1000))).header('retry-after-ms', String(retryAfterMs));
      return apiError(reply, 429, 'rate_limit_error', 'Rate limit reached (simulated by sim-llm).', 'rate_limit_exceeded');
    }
    if (fault === '500') return apiError(reply, 500, 'server_error', 'The server had an error (simulated by sim-llm).');
    if (fault === 'timeout') {
      // Never answer: the client's own timeout must fire. The socket is freed on close().
      reply.hijack();
      const socket = reply.raw.socket;
      if (socket) {
        held.add(socket);
        socket.once('close', () => held.delete(socket));
      }
      return reply;
    }
    const conv = readConversation(req);
    const decision = decide(conv, availableTools(req, conv.system));
    const completion = buildCompletion(req, decision, {
      jsonFormat: req.response_format?.type === 'json_object',
      textFormat: !req.tools?.length || conv.lastUser.includes(MARKERS.text),
      malformed: fault === 'malformed' || (conv.lastUser.includes(MARKERS.malformed) && conv.steps.length === 0 && conv.notes.length === 0),
    });
    if (completion.choices[0]!.message.tool_calls) stats.toolCallReplies++;
    else stats.answerReplies++;
    stats.promptTokens += completion.usage.prompt_tokens;
    stats.completionTokens += completion.usage.completion_tokens;
    if (!req.stream) return completion;
    stats.streamedReplies++;
    reply.hijack();
    await writeStream(reply.raw, completionChunks(completion, req.stream_options?.include_usage === true), opts.chunkDelayMs ?? 0);
    return reply;
  };

  app.post('/v1/chat/completions', (request, reply) => completions(request.body, reply));
  app.post('/chat/completions', (request, reply) => completions(request.body, reply));
  app.get('/v1/models', async () => ({ object: 'list', data: [SIM_MODEL_ENTRY] }));
  app.get('/v1/models/:id', async (request, reply) =>
    (request.params as { id: string }).id === SIM_MODEL_ENTRY.id ? SIM_MODEL_ENTRY : apiError(reply, 404, 'invalid_request_error', 'model not found', 'model_not_found'),
  );
  app.get('/healthz', async () => ({ status: 'ok', model: SIM_MODEL_ENTRY.id, note: 'sim-llm is a deterministic test double, not AI' }));

  // Building the o200k encoder takes seconds of CPU: pay it before listening, not in the first
  // request's latency (which a benchmark would otherwise charge to the pipeline).
  warmUpTokenizer();
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port ?? DEFAULTS.ports.simLlm, host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? DEFAULTS.ports.simLlm);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    async close() {
      for (const s of held) s.destroy();
      held.clear();
      await app.close();
    },
    stats: () => ({ ...stats, faults: { ...stats.faults } }),
  };
}
