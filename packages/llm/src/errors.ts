// What can go wrong with an LLM call, as StewardErrors that say whether to retry. The client
// retries the retryable ones itself; what it throws after that is what the worker acts on
// (a RateLimitedError → pause the fleet, LlmUnavailableError → proposal `llm_error`).
import { StewardError } from '@steward/core';

/** 429 from the provider (or our own requests-per-minute limiter). */
export class RateLimitedError extends StewardError {
  constructor(message: string, opts: { retryAfterMs?: number; status?: number; cause?: unknown } = {}) {
    super('llm_rate_limited', message, {
      kind: 'rate_limited',
      retryable: true,
      details: { status: opts.status ?? 429 },
      ...(opts.retryAfterMs === undefined ? {} : { retryAfterMs: opts.retryAfterMs }),
      ...(opts.cause === undefined ? {} : { cause: opts.cause }),
    });
  }
}

/** 5xx, connection refused or reset: the provider may be back in a moment. */
export class LlmUnavailableError extends StewardError {
  constructor(message: string, opts: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super('llm_unavailable', message, {
      kind: 'unavailable',
      retryable: true,
      details: { status: opts.status },
      ...(opts.retryAfterMs === undefined ? {} : { retryAfterMs: opts.retryAfterMs }),
      ...(opts.cause === undefined ? {} : { cause: opts.cause }),
    });
  }
}

/** The per-call timeout fired before the provider answered. */
export class LlmTimeoutError extends StewardError {
  constructor(timeoutMs: number, cause?: unknown) {
    super('llm_timeout', `LLM call timed out after ${timeoutMs} ms`, {
      kind: 'unavailable',
      retryable: true,
      details: { timeoutMs },
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/** A 4xx other than 429: the request itself is wrong (bad key, unknown model, bad schema). */
export class LlmRequestError extends StewardError {
  constructor(status: number, message: string, cause?: unknown) {
    super('llm_bad_request', `LLM request rejected (${status}): ${message}`, {
      kind: status === 401 || status === 403 ? 'unauthorized' : 'validation',
      retryable: false,
      details: { status },
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/** The caller's AbortSignal fired (query superseded, worker shutting down). */
export class LlmAbortedError extends StewardError {
  constructor(cause?: unknown) {
    super('llm_aborted', 'LLM call aborted by the caller', { kind: 'internal', retryable: false, ...(cause === undefined ? {} : { cause }) });
  }
}

/** The provider answered 200 with something that is not a chat completion. */
export class LlmBadResponseError extends StewardError {
  constructor(message: string) {
    super('llm_bad_response', message, { kind: 'unavailable', retryable: true });
  }
}
