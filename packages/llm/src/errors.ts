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

/**
 * The provider answered with something that is not a chat completion: no choices, a 200 with
 * an error object, an HTML page. Retryable unless it points at a wrong configuration.
 */
export class LlmBadResponseError extends StewardError {
  constructor(message: string, opts: { retryable?: boolean; status?: number } = {}) {
    super('llm_bad_response', message, {
      kind: opts.retryable === false ? 'validation' : 'unavailable',
      retryable: opts.retryable ?? true,
      ...(opts.status === undefined ? {} : { details: { status: opts.status } }),
    });
  }
}

/** What was wrong with a reply that arrived but cannot be used. */
export type ModelFault = 'empty_reply' | 'malformed_tool_call' | 'truncated';

/**
 * The model answered, but with nothing usable: an empty reply, tool-call arguments that are
 * not a JSON object, a reply cut by max_tokens. A fault of the model, not of the agent:
 * it is retried (a sampled model usually gets it right the second time) and, when it persists,
 * ends the query under its own outcome (`model_fault`), never as a loop. A cut reply is not
 * retried: the same request would be cut at the same length.
 */
export class LlmModelFaultError extends StewardError {
  readonly fault: ModelFault;
  constructor(fault: ModelFault, message: string) {
    super('llm_model_fault', message, { kind: 'unavailable', retryable: fault !== 'truncated', details: { fault } });
    this.fault = fault;
  }
}

/** True for an LlmModelFaultError, also across two copies of this package. */
export function isModelFault(e: unknown): e is StewardError & { details: { fault: ModelFault } } {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'llm_model_fault';
}
