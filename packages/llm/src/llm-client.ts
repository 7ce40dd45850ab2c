// One chat completion against any OpenAI-compatible endpoint, with retries we control: the SDK's
// own retries are off so every retry is counted, delayed by our policy and visible in the usage
// record and the trace (`retries`, `onRetry`).
import OpenAI, { AzureOpenAI } from 'openai';
import type { AssistantMessage, ChatMessage, LlmUsage } from '@steward/core';
import { abortableSleep, backoffDelay, DEFAULT_BACKOFF, parseRetryAfter, type BackoffOptions } from './retry-policy.ts';
import { isModelFault, LlmAbortedError, LlmRequestError, LlmTimeoutError, LlmUnavailableError, RateLimitedError } from './errors.ts';
import { normalizeCompletion, type NormalizedCompletion } from './normalize-completion.ts';
import { StreamAccumulator, type StreamDelta } from './accumulate-stream.ts';
import { costOf, type PricingTable } from './pricing.ts';
import { providerOf } from './provider.ts';
import { LLM_DEFAULTS } from './constants.ts';
import { isStewardError, type StewardError } from '@steward/core';

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
const AZURE_URL = /\.openai\.azure\.com|\/openai\/deployments\//i;

function createSdk(opts: LlmClientOptions, timeoutMs: number): OpenAI {
  const common = {
    baseURL: opts.baseURL,
    apiKey: opts.apiKey,
    maxRetries: 0,
    // Our own timer decides; the SDK's is only a backstop.
    timeout: timeoutMs + 1_000,
    ...(opts.defaultHeaders ? { defaultHeaders: opts.defaultHeaders } : {}),
  };
  if (opts.apiVersion || AZURE_URL.test(opts.baseURL)) {
    if (!opts.apiVersion) throw new LlmRequestError(0, `an Azure OpenAI endpoint (${opts.baseURL}) needs an api-version: set LLM_API_VERSION`);
    // Azure: `api-key` header instead of a bearer token, `?api-version=`, and the deployment in
    // the path (taken from the model name unless the base URL already names it).
    return new AzureOpenAI({ ...common, apiVersion: opts.apiVersion });
  }
  return new OpenAI(common);
}

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
  const sdk = createSdk(opts, timeoutMs);

  /** One HTTP call, streamed or not, normalised; the time to first token for a stream. */
  async function attempt(req: LlmRequest): Promise<{ n: NormalizedCompletion; ttftMs?: number }> {
    const timer = new AbortController();
    const t = setTimeout(() => timer.abort(new LlmTimeoutError(timeoutMs)), timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timer.signal]) : timer.signal;
    const started = now();
    try {
      const body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming = {
        model: opts.model,
        messages: req.messages as OpenAI.Chat.Completions.ChatCompletionMessageParam[],
      };
      if (req.tools?.length) body.tools = req.tools as OpenAI.Chat.Completions.ChatCompletionTool[];
      if (req.tools?.length && req.toolChoice) body.tool_choice = req.toolChoice;
      if (req.maxTokens !== undefined) body[maxTokensParam] = req.maxTokens;
      if (req.temperature !== undefined) body.temperature = req.temperature;
      if (req.responseFormat) body.response_format = { type: req.responseFormat };
      if (!req.onDelta) {
        // Typed as a completion, but a misconfigured endpoint may hand back a string (HTML): checked there.
        const res: unknown = await sdk.chat.completions.create(body, { signal, maxRetries: 0 });
        return { n: normalizeCompletion(res) };
      }
      const stream = await sdk.chat.completions.create(
        { ...body, stream: true, ...(opts.streamUsage === false ? {} : { stream_options: { include_usage: true } }) },
        { signal, maxRetries: 0 },
      );
      const acc = new StreamAccumulator(now, req.onDelta);
      for await (const chunk of stream) acc.push(chunk);
      const n = normalizeCompletion(acc.result());
      return acc.firstTokenAtMs === undefined ? { n } : { n, ttftMs: acc.firstTokenAtMs - started };
    } catch (e) {
      throw classify(e, req.signal, timer.signal, timeoutMs, now());
    } finally {
      clearTimeout(t);
    }
  }

  return {
    model: opts.model,
    provider,
    async complete(req) {
      const startMs = now();
      let retries = 0;
      let rateLimitRetries = 0;
      let faultRetries = 0;
      for (;;) {
        try {
          req.onAttempt?.(retries + 1);
          const res = await attempt(req);
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
    },
  };
}

/** SDK error → StewardError that says whether to retry. */
function classify(e: unknown, caller: AbortSignal | undefined, timer: AbortSignal, timeoutMs: number, nowMs: number): StewardError {
  if (caller?.aborted) return new LlmAbortedError(e);
  if (timer.aborted || e instanceof OpenAI.APIConnectionTimeoutError) return new LlmTimeoutError(timeoutMs, e);
  if (e instanceof OpenAI.APIUserAbortError) return new LlmAbortedError(e);
  if (e instanceof OpenAI.APIConnectionError) return new LlmUnavailableError(`LLM connection failed: ${e.message}`, { cause: e });
  if (e instanceof OpenAI.APIError) {
    const status = e.status ?? 0;
    const retryAfterMs = parseRetryAfter(e.headers, nowMs);
    const after = retryAfterMs === undefined ? {} : { retryAfterMs };
    const message = readableMessage(e.message);
    if (status === 429) return new RateLimitedError(`LLM rate limited: ${message}`, { ...after, cause: e });
    // No status: an error event in the middle of a stream, the server failed while generating.
    if (status === 0) return new LlmUnavailableError(`LLM stream failed: ${message}`, { cause: e });
    // 408 (request timeout) and 409 (conflict, e.g. lock contention) are transient too.
    if (status >= 500 || status === 408 || status === 409) return new LlmUnavailableError(`LLM server error ${status}: ${message}`, { status, ...after, cause: e });
    return new LlmRequestError(status, message, e);
  }
  if (isStewardError(e)) return e;
  return new LlmUnavailableError(`LLM call failed: ${String(e)}`, { cause: e });
}

/** An error page from a proxy (nginx 502, a login page) is HTML: keep its words, short. */
function readableMessage(m: string): string {
  if (!/<(html|body|head|title|!doctype)/i.test(m)) return m;
  const words = m.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return `(an HTML error page, not the API's JSON: a proxy or a wrong OPENAI_BASE_URL?) ${words.slice(0, 200)}`;
}

function toCompletion(
  n: NormalizedCompletion,
  ttftMs: number | undefined,
  ctx: { model: string; provider: string; startMs: number; endMs: number; retries: number; req: LlmRequest; pricing: PricingTable | undefined },
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
