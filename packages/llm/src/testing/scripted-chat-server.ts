// A real HTTP server on 127.0.0.1 that answers chat-completion requests from a script, for
// tests of anything that calls an LLM (retries, timeouts, parsing) without a model or a mock.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  /** JSON body; see chatCompletionBody for a success. */
  body?: unknown;
  /** Hold the response this long (for timeout tests); the request may be aborted meanwhile. */
  delayMs?: number;
  /** Destroy the socket without answering (connection error). */
  hangUp?: boolean;
  /** A body sent as is (an HTML error page), with this content type (default text/html). */
  raw?: string;
  contentType?: string;
  /** Answer as a server-sent-event stream: each entry one `data:` line, then `data: [DONE]`. */
  sse?: unknown[];
  /** Pause between two SSE chunks (to watch a stream arrive), or between two `pieces`. */
  sseGapMs?: number;
  /**
   * The body as these byte pieces, one write each (content type `text/event-stream` unless
   * contentType says otherwise): to split a stream at a chosen byte, inside a line or a character.
   */
  pieces?: readonly Buffer[];
}

export interface ScriptedChatServer {
  baseURL: string;
  /** Request bodies received, in order. */
  requests: { body: unknown; headers: IncomingHttpHeaders; url: string }[];
  /** TCP connections accepted so far (keep-alive clients reuse them), and the most open at once. */
  connections: { total: number; open: number; maxOpen: number };
  close(): Promise<void>;
}

/** Answers the n-th request with script[n]; past the end, repeats the last entry. */
export async function startScriptedChatServer(script: readonly ScriptedResponse[]): Promise<ScriptedChatServer> {
  const requests: ScriptedChatServer['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      const step = script[Math.min(requests.length, script.length - 1)] ?? {};
      requests.push({ body, headers: req.headers, url: req.url ?? '' });
      const answer = () => {
        if (step.hangUp) return void req.socket.destroy();
        if (step.pieces) return void sendPieces(res, step, timers);
        if (step.sse) return void sendSse(res, step.status ?? 200, step.headers ?? {}, step.sse, step.sseGapMs ?? 0, timers);
        if (step.raw !== undefined) {
          res.writeHead(step.status ?? 200, { 'content-type': step.contentType ?? 'text/html; charset=utf-8', ...step.headers });
          return void res.end(step.raw);
        }
        res.writeHead(step.status ?? 200, { 'content-type': 'application/json', ...step.headers });
        res.end(JSON.stringify(step.body ?? chatCompletionBody({ content: 'ok' })));
      };
      if (step.delayMs) {
        const t = setTimeout(() => (timers.delete(t), answer()), step.delayMs);
        timers.add(t);
      } else answer();
    });
  });
  const connections = { total: 0, open: 0, maxOpen: 0 };
  server.on('connection', (socket) => {
    connections.total++;
    connections.maxOpen = Math.max(connections.maxOpen, ++connections.open);
    socket.on('close', () => connections.open--);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    connections,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function sendSse(res: ServerResponse, status: number, headers: Record<string, string>, chunks: unknown[], gapMs: number, timers: Set<NodeJS.Timeout>): void {
  res.writeHead(status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  const lines = [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n'];
  const next = (i: number) => {
    if (res.destroyed) return;
    if (i >= lines.length) return void res.end();
    res.write(lines[i]);
    if (gapMs <= 0) return next(i + 1);
    const t = setTimeout(() => (timers.delete(t), next(i + 1)), gapMs);
    timers.add(t);
  };
  next(0);
}

function sendPieces(res: ServerResponse, step: ScriptedResponse, timers: Set<NodeJS.Timeout>): void {
  const pieces = step.pieces ?? [];
  res.writeHead(step.status ?? 200, { 'content-type': step.contentType ?? 'text/event-stream', ...step.headers });
  // Flush each piece on its own, so the client reads it as its own chunk.
  res.flushHeaders();
  const next = (i: number) => {
    if (res.destroyed) return;
    if (i >= pieces.length) return void res.end();
    res.write(pieces[i]);
    const t = setTimeout(() => (timers.delete(t), next(i + 1)), step.sseGapMs ?? 1);
    timers.add(t);
  };
  next(0);
}

/** The chunks of a streamed text reply, split into pieces of `size` characters, usage last. */
export function chatCompletionChunks(content: string, opts: { size?: number; model?: string; promptTokens?: number; completionTokens?: number } = {}): unknown[] {
  const size = opts.size ?? 4;
  const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 0, model: opts.model ?? 'gpt-4o-mini' };
  const out: unknown[] = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }];
  for (let i = 0; i < content.length; i += size) out.push({ ...base, choices: [{ index: 0, delta: { content: content.slice(i, i + size) }, finish_reason: null }] });
  out.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
  out.push({ ...base, choices: [], usage: { prompt_tokens: opts.promptTokens ?? 100, completion_tokens: opts.completionTokens ?? 20, total_tokens: (opts.promptTokens ?? 100) + (opts.completionTokens ?? 20) } });
  return out;
}

/** A chat.completion response body. */
export function chatCompletionBody(opts: {
  content?: string | null;
  toolCalls?: { id: string; name: string; arguments: string }[];
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
  finishReason?: string;
}): Record<string, unknown> {
  const toolCalls = opts.toolCalls?.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 0,
    model: opts.model ?? 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: opts.content ?? null, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
        finish_reason: opts.finishReason ?? (toolCalls ? 'tool_calls' : 'stop'),
      },
    ],
    usage: {
      prompt_tokens: opts.promptTokens ?? 100,
      completion_tokens: opts.completionTokens ?? 20,
      total_tokens: (opts.promptTokens ?? 100) + (opts.completionTokens ?? 20),
      prompt_tokens_details: { cached_tokens: opts.cachedTokens ?? 0 },
    },
  };
}
