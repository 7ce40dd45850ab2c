// One chat completion against any OpenAI-compatible endpoint, with retries we control: the SDK's
// own retries are off so every retry is counted, delayed by our policy and visible in the usage
// record and the trace (`retries`, `onRetry`).
import OpenAI from 'openai';
import type { AssistantMessage, ChatMessage, LlmUsage, ToolCallMessagePart } from '@steward/core';
import { abortableSleep, backoffDelay, DEFAULT_BACKOFF, parseRetryAfter, type BackoffOptions } from './retry-policy.ts';
import { LlmAbortedError, LlmBadResponseError, LlmRequestError, LlmTimeoutError, LlmUnavailableError, RateLimitedError } from './errors.ts';
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
  /** Aborts the call and any wait between retries (query superseded, shutdown). */
  signal?: AbortSignal;
}

export interface LlmCompletion {
  message: AssistantMessage;
  usage: LlmUsage;
  retries: number;
  finishReason: string | undefined;
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
  const sdk = new OpenAI({
    baseURL: opts.baseURL,
    apiKey: opts.apiKey,
    maxRetries: 0,
    // Our own timer decides; the SDK's is only a backstop.
    timeout: timeoutMs + 1_000,
    ...(opts.defaultHeaders ? { defaultHeaders: opts.defaultHeaders } : {}),
  });

  async function attempt(req: LlmRequest): Promise<OpenAI.Chat.Completions.ChatCompletion> {
    const timer = new AbortController();
    const t = setTimeout(() => timer.abort(new LlmTimeoutError(timeoutMs)), timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timer.signal]) : timer.signal;
    try {
      const body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming = {
        model: opts.model,
        messages: req.messages as OpenAI.Chat.Completions.ChatCompletionMessageParam[],
      };
      if (req.tools?.length) body.tools = req.tools as OpenAI.Chat.Completions.ChatCompletionTool[];
      if (req.tools?.length && req.toolChoice) body.tool_choice = req.toolChoice;
      if (req.maxTokens !== undefined) body[maxTokensParam] = req.maxTokens;
      if (req.temperature !== undefined) body.temperature = req.temperature;
      return await sdk.chat.completions.create(body, { signal, maxRetries: 0 });
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
      for (;;) {
        try {
          const res = await attempt(req);
          return toCompletion(res, { model: opts.model, provider, startMs, endMs: now(), retries, req, pricing: opts.pricing });
        } catch (e) {
          const err = isStewardError(e) ? e : new LlmUnavailableError(String(e), { cause: e });
          const isRateLimit = err.kind === 'rate_limited';
          const budgetLeft = isRateLimit ? rateLimitRetries < maxRateLimitRetries : retries - rateLimitRetries < maxRetries;
          if (!err.retryable || !budgetLeft) throw err;
          if (err.retryAfterMs !== undefined && err.retryAfterMs > maxRetryAfterMs) throw err;
          // The server's own estimate beats our guess; without one, back off with jitter.
          const delayMs = err.retryAfterMs ?? backoffDelay(retries, backoff, random);
          retries++;
          if (isRateLimit) rateLimitRetries++;
          opts.onRetry?.({ retry: retries, delayMs, error: err });
          try {
            await sleep(delayMs, req.signal);
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
    if (status === 429) return new RateLimitedError(`LLM rate limited: ${e.message}`, { ...after, cause: e });
    // 408 (request timeout) and 409 (conflict, e.g. lock contention) are transient too.
    if (status >= 500 || status === 408 || status === 409) return new LlmUnavailableError(`LLM server error ${status}: ${e.message}`, { status, ...after, cause: e });
    return new LlmRequestError(status, e.message, e);
  }
  if (isStewardError(e)) return e;
  return new LlmUnavailableError(`LLM call failed: ${String(e)}`, { cause: e });
}

function toCompletion(
  res: OpenAI.Chat.Completions.ChatCompletion,
  ctx: { model: string; provider: string; startMs: number; endMs: number; retries: number; req: LlmRequest; pricing: PricingTable | undefined },
): LlmCompletion {
  const choice = res.choices?.[0];
  if (!choice?.message) throw new LlmBadResponseError('LLM response has no choices[0].message');
  const m = choice.message;
  const toolCalls: ToolCallMessagePart[] = (m.tool_calls ?? []).flatMap((c) =>
    c.type === 'function' ? [{ id: c.id, type: 'function' as const, function: { name: c.function.name, arguments: c.function.arguments ?? '' } }] : [],
  );
  const message: AssistantMessage = { role: 'assistant', content: m.content ?? null };
  if (toolCalls.length) message.tool_calls = toolCalls;
  const inputTokens = res.usage?.prompt_tokens ?? 0;
  const outputTokens = res.usage?.completion_tokens ?? 0;
  const cachedInputTokens = res.usage?.prompt_tokens_details?.cached_tokens ?? 0;
  // Bill against the model we asked for; providers often answer with a dated variant name.
  const model = res.model || ctx.model;
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
    finishReason: choice.finish_reason ?? undefined,
  };
  if (ctx.req.maxTokens !== undefined) usage.maxTokens = ctx.req.maxTokens;
  if (ctx.req.temperature !== undefined) usage.temperature = ctx.req.temperature;
  return { message, usage, retries: ctx.retries, finishReason: choice.finish_reason ?? undefined };
}
