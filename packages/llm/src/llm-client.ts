// One chat completion against any OpenAI-compatible endpoint, with retries we control: every
// retry is counted, delayed by our policy and visible in the usage record and the trace
// (`retries`, `onRetry`). The request goes over our own small transport (http-transport.ts),
// not the OpenAI SDK: the SDK's fetch and web-stream layers were a fifth of the
// reasoning-worker's CPU per query.
import type { AssistantMessage, ChatMessage, LlmUsage } from '@steward/core';
import { abortableSleep, backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './retry-policy.ts';
import { isModelFault, LlmAbortedError, LlmBadResponseError, LlmTimeoutError, LlmUnavailableError } from './errors.ts';
import { normalizeCompletion, normalizeStreamed, type NormalizedCompletion } from './normalize-completion.ts';
import { StreamAccumulator, type StreamDelta } from './accumulate-stream.ts';
import { costOf, type PricingTable } from './pricing.ts';
import { providerOf } from './provider.ts';
import { LLM_DEFAULTS } from './constants.ts';
import { isStewardError, type StewardError } from '@steward/core';
import { chatEndpoint } from './chat-endpoint.ts';
import { createHttpTransport, readText, readTextChunks, type HttpTransport } from './http-transport.ts';
import { attemptError, statusError, streamError } from './http-error.ts';
import { requestBodyJson } from './request-body.ts';
import { SseParser } from './sse-parser.ts';

/** A tool as the chat-completions API takes it. */
export interface LlmToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type LlmToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export interface LlmRequest {
  messages: readonly ChatMessage[];
  tools?: readonly LlmToolDefinition[];
  toolChoice?: LlmToolChoice;
  maxTokens?: number;
  temperature?: number;
  /** JSON mode (`response_format: {type: "json_object"}`), for LLM_TOOL_STYLE=json. */
  responseFormat?: 'json_object';
  /** Aborts the call and any wait between retries (query superseded, shutdown). */
  signal?: AbortSignal;
  /**
   * Stream the reply (`stream: true`) and report its text as it is generated. Called again from
   * the start on a retry: `onAttempt` says when one begins, so a listener can reset.
   */
  onDelta?: (delta: StreamDelta) => void;
  /** A new attempt starts (1 for the first): whatever was streamed before is void. */
  onAttempt?: (attempt: number) => void;
}

/** What a call keeps of its request once the body is made (`complete`). */
type CallOptions = Omit<LlmRequest, 'messages' | 'tools'>;

export interface LlmCompletion {
  /** The reply as the next request may carry it: no reasoning, JSON-string arguments, unique ids. */
  message: AssistantMessage;
  usage: LlmUsage;
  retries: number;
  finishReason: string | undefined;
  /** The model's reasoning (DeepSeek `reasoning_content`…), for the trace only, never for the customer. */
  reasoning?: string;
  /** Output tokens spent on reasoning (already part of usage.outputTokens). */
  reasoningTokens: number;
  /** From the start of the successful attempt to its first generated token; streamed calls only. */
  timeToFirstTokenMs?: number;
  /** Provider dialect met and normalised (`text_tool_calls`, `object_arguments`…). */
  quirks: string[];
}

export interface RetryInfo {
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  error: StewardError;
}

export interface LlmClientOptions {
  baseURL: string;
  apiKey: string;
  model: string;
  /** gen_ai.provider.name for traces; inferred from the model and URL when absent. */
  provider?: string;
  /** Per attempt. */
  timeoutMs?: number;
  /** Retries after the first attempt, for 5xx, timeouts and connection errors. */
  maxRetries?: number;
  /**
   * Retries of a 429. Set 0 to hand every 429 straight to the caller, who pauses the whole
   * fleet (pauseFleet) instead of this one call waiting on its own. Defaults to maxRetries.
   */
  maxRateLimitRetries?: number;
  backoff?: BackoffOptions;
  /** A Retry-After longer than this is not waited out here: the error goes to the caller. */
  maxRetryAfterMs?: number;
  /** Retries of a reply that arrived but was unusable (empty, broken tool call). Default 2. */
  maxFaultRetries?: number;
  /** Azure OpenAI `api-version`; the client then speaks Azure (api-key header, deployment URLs). */
  apiVersion?: string;
  /** Ask for usage in the last chunk of a stream (`stream_options.include_usage`). Default true. */
  streamUsage?: boolean;
  /** `max_completion_tokens` for OpenAI reasoning models, `max_tokens` elsewhere (auto by model). */
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens';
  pricing?: PricingTable;
  defaultHeaders?: Record<string, string>;
  /** Sockets open at once to the provider (keep-alive, reused); more concurrent calls wait for one. */
  maxSockets?: number;
  /** Shared by clients that talk to the same provider (e.g. a main and a fallback model); one each by default. */
  transport?: HttpTransport;
  /** Injected in tests so waits are recorded instead of slept. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
  onRetry?: (info: RetryInfo) => void;
}

export interface LlmClient {
  readonly model: string;
  readonly provider: string;
  complete(req: LlmRequest): Promise<LlmCompletion>;
}

const REASONING_MODEL = /(^|\/)(o\d|gpt-5)/;

export function createLlmClient(opts: LlmClientOptions): LlmClient {
  const timeoutMs = opts.timeoutMs ?? LLM_DEFAULTS.timeoutMs;
  const maxRetries = opts.maxRetries ?? LLM_DEFAULTS.maxRetries;
  const maxRateLimitRetries = opts.maxRateLimitRetries ?? maxRetries;
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? LLM_DEFAULTS.maxRetryAfterMs;
  const sleep = opts.sleep ?? abortableSleep;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const provider = opts.provider ?? providerOf(opts.model, opts.baseURL);
  const maxTokensParam = opts.maxTokensParam ?? (REASONING_MODEL.test(opts.model) ? 'max_completion_tokens' : 'max_tokens');
  const maxFaultRetries = opts.maxFaultRetries ?? LLM_DEFAULTS.maxFaultRetries;
  const endpoint = chatEndpoint(opts);
  const transport = opts.transport ?? createHttpTransport({ maxSockets: opts.maxSockets ?? LLM_DEFAULTS.maxSockets });

  /**
   * The request's body, made once per call and reused by every attempt (they send the same
   * bytes), as a Buffer: its bytes live outside the JS heap. A reasoning-worker holds each call's
   * request for the model's whole latency (~65 calls of 800 ms in flight each at the use case's
   * peak), and every scavenge copied the messages and the body text they held; neither is
   * referenced after this (see `complete`).
   */
  function encode(req: LlmRequest): Buffer {
    const rest: Record<string, unknown> = {};
    if (req.tools?.length && req.toolChoice) rest.tool_choice = req.toolChoice;
    if (req.maxTokens !== undefined) rest[maxTokensParam] = req.maxTokens;
    if (req.temperature !== undefined) rest.temperature = req.temperature;
    if (req.responseFormat) rest.response_format = { type: req.responseFormat };
    if (req.onDelta) {
      rest.stream = true;
      if (opts.streamUsage !== false) rest.stream_options = { include_usage: true };
    }
    return Buffer.from(requestBodyJson({ model: opts.model, messages: req.messages, ...(req.tools?.length ? { tools: req.tools } : {}), rest }), 'utf8');
  }

  /** One HTTP call, streamed or not, normalised; the time to first token for a stream. */
  async function attempt(body: Buffer, req: CallOptions): Promise<{ n: NormalizedCompletion; ttftMs?: number }> {
    // One controller for both ways an attempt ends early; the reason says which one fired.
    const stop = new AbortController();
    let timedOut = false;
    const t = setTimeout(() => {
      timedOut = true;
      stop.abort(new LlmTimeoutError(timeoutMs));
    }, timeoutMs);
    const caller = req.signal;
    const onCallerAbort = () => stop.abort(new LlmAbortedError(caller?.reason));
    if (caller?.aborted) onCallerAbort();
    else caller?.addEventListener('abort', onCallerAbort, { once: true });
    const started = now();
    try {
      const res = await transport.post(endpoint.url, req.onDelta ? endpoint.streamHeaders : endpoint.headers, body, stop.signal);
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) throw statusError(status, res.headers, await readText(res), now());
      const contentType = contentTypeOf(res.rawHeaders);
      // A server that ignored `stream: true` and sent one JSON body (or a page) is read as that body.
      if (!req.onDelta || /json|html/i.test(contentType)) return { n: normalizeCompletion(parseBody(await readText(res), contentType)) };
      const acc = new StreamAccumulator(now, req.onDelta);
      let done = false;
      const sse = new SseParser((ev) => {
        if (done) return;
        if (ev.data.startsWith('[DONE]')) return void (done = true);
        let chunk: unknown;
        try {
          chunk = JSON.parse(ev.data);
        } catch {
          throw new LlmBadResponseError(`LLM stream sent a chunk that is not JSON: ${ev.data.slice(0, 200)}`);
        }
        const error = (chunk as { error?: unknown } | null)?.error;
        if (ev.event === 'error' || (error !== undefined && error !== null)) throw streamError(error ?? chunk);
        acc.push(chunk);
      });
      await readTextChunks(res, (text) => sse.push(text));
      sse.end();
      const n = normalizeStreamed(acc.result());
      return acc.firstTokenAtMs === undefined ? { n } : { n, ttftMs: acc.firstTokenAtMs - started };
    } catch (e) {
      throw attemptError(e, caller?.aborted === true, timedOut, timeoutMs);
    } finally {
      clearTimeout(t);
      caller?.removeEventListener('abort', onCallerAbort);
    }
  }

  return {
    model: opts.model,
    provider,
    // Not async: its frame (and with it the request's messages) ends once the body is made; only
    // the body and the request's small fields are held while the model works.
    complete(req) {
      const { messages: _messages, tools: _tools, ...small } = req;
      let body: Buffer;
      try {
        body = encode(req);
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
      return completeEncoded(body, small);
    },
  };

  async function completeEncoded(body: Buffer, req: CallOptions): Promise<LlmCompletion> {
    const startMs = now();
    let retries = 0;
    let rateLimitRetries = 0;
    let faultRetries = 0;
    for (;;) {
      try {
        req.onAttempt?.(retries + 1);
        const res = await attempt(body, req);
        return toCompletion(res.n, res.ttftMs, { model: opts.model, provider, startMs, endMs: now(), retries, req, pricing: opts.pricing });
      } catch (e) {
        const err = isStewardError(e) ? e : new LlmUnavailableError(String(e), { cause: e });
        const isRateLimit = err.kind === 'rate_limited';
        const isFault = isModelFault(err);
        // Three budgets: a model's bad replies must not use up the retries meant for an outage.
        const budgetLeft = isRateLimit
          ? rateLimitRetries < maxRateLimitRetries
          : isFault
            ? faultRetries < maxFaultRetries
            : retries - rateLimitRetries - faultRetries < maxRetries;
        if (!err.retryable || !budgetLeft) throw err;
        if (err.retryAfterMs !== undefined && err.retryAfterMs > maxRetryAfterMs) throw err;
        // The server's own estimate beats our guess; without one, back off with jitter. A bad
        // reply is asked again at once: the server is up, only the sample was wrong.
        const delayMs = err.retryAfterMs ?? (isFault ? 0 : backoffDelay(retries, backoff, random));
        retries++;
        if (isRateLimit) rateLimitRetries++;
        if (isFault) faultRetries++;
        opts.onRetry?.({ retry: retries, delayMs, error: err });
        try {
          if (delayMs > 0) await sleep(delayMs, req.signal);
        } catch (abort) {
          throw new LlmAbortedError(abort);
        }
      }
    }
  }
}

/**
 * The Content-Type of a reply from its raw header list (the first one, as `headers` keeps it):
 * `res.headers` builds an object of every header on first use, for the one value read here.
 */
function contentTypeOf(raw: readonly string[]): string {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.length === 12 && raw[i]!.toLowerCase() === 'content-type') return raw[i + 1]!;
  return '';
}

/** A 2xx body: JSON when it parses; the text otherwise, which the normaliser reports (an HTML page…). */
function parseBody(text: string, contentType: string): unknown {
  const t = text.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return text;
  try {
    return JSON.parse(t);
  } catch {
    // Announced as JSON but cut or garbled: a fault of this reply, another attempt may be whole.
    if (contentType.includes('json')) throw new LlmBadResponseError(`LLM response is not valid JSON: ${t.slice(0, 200)}`);
    return text;
  }
}

function toCompletion(
  n: NormalizedCompletion,
  ttftMs: number | undefined,
  ctx: { model: string; provider: string; startMs: number; endMs: number; retries: number; req: CallOptions; pricing: PricingTable | undefined },
): LlmCompletion {
  const { inputTokens, outputTokens, cachedInputTokens, reasoningTokens } = n.usage;
  // Bill against the model we asked for; providers often answer with a dated variant name.
  const model = n.model || ctx.model;
  const usage: LlmUsage = {
    model,
    provider: ctx.provider,
    inputTokens,
    outputTokens,
    cachedInputTokens,
    costUsd: costOf(model, { inputTokens, outputTokens, cachedInputTokens }, ctx.pricing),
    startMs: ctx.startMs,
    endMs: ctx.endMs,
    retries: ctx.retries,
    finishReason: n.finishReason,
  };
  if (n.finishReason === undefined) delete usage.finishReason;
  if (ctx.req.maxTokens !== undefined) usage.maxTokens = ctx.req.maxTokens;
  if (ctx.req.temperature !== undefined) usage.temperature = ctx.req.temperature;
  return {
    message: n.message,
    usage,
    retries: ctx.retries,
    finishReason: n.finishReason,
    ...(n.reasoning ? { reasoning: n.reasoning } : {}),
    reasoningTokens,
    ...(ttftMs === undefined ? {} : { timeToFirstTokenMs: ttftMs }),
    quirks: n.quirks,
  };
}
