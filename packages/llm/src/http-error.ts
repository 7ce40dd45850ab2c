// What went wrong on the wire, as a StewardError that says whether to retry: an HTTP status
// with its body and headers, a failed connection, an error event inside a stream.
import type { IncomingHttpHeaders } from 'node:http';
import { isStewardError, type StewardError } from '@steward/core';
import { parseRetryAfter } from './retry-policy.ts';
import { LlmAbortedError, LlmRequestError, LlmTimeoutError, LlmUnavailableError, RateLimitedError } from './errors.ts';

/** A reply with a non-2xx status; `text` is its body, JSON or not. */
export function statusError(status: number, headers: IncomingHttpHeaders, text: string, nowMs: number): StewardError {
  // Not followed: a POST redirected is a base URL to correct once, not a hop to pay on every call.
  if (status >= 300 && status < 400) {
    return new LlmRequestError(status, `the endpoint redirects to ${headers.location ?? '(no Location)'}: set OPENAI_BASE_URL to the final address`);
  }
  const retryAfterMs = parseRetryAfter(headers, nowMs);
  const after = retryAfterMs === undefined ? {} : { retryAfterMs };
  const message = readableMessage(`${status} ${bodyMessage(text) || 'status code (no body)'}`);
  if (status === 429) return new RateLimitedError(`LLM rate limited: ${message}`, after);
  // 408 (request timeout) and 409 (conflict, e.g. lock contention) are transient too.
  if (status >= 500 || status === 408 || status === 409) return new LlmUnavailableError(`LLM server error ${status}: ${message}`, { status, ...after });
  return new LlmRequestError(status, message);
}

/** `{"error": …}` in a stream: the server failed while generating; another attempt may succeed. */
export function streamError(error: unknown): StewardError {
  return new LlmUnavailableError(`LLM stream failed: ${readableMessage(errorMessage(error))}`);
}

/**
 * Anything an attempt threw, classified by who stopped it: the caller (aborted, final), our
 * timer (timeout, retryable), or the network (unavailable, retryable).
 */
export function attemptError(e: unknown, callerAborted: boolean, timedOut: boolean, timeoutMs: number): StewardError {
  if (callerAborted) return new LlmAbortedError(e);
  if (timedOut) return new LlmTimeoutError(timeoutMs, e);
  if (isStewardError(e)) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const detail = e instanceof Error ? e.message : String(e);
  // A socket error carries its code (ECONNREFUSED, ECONNRESET…); anything else failed on our side of the call.
  const what = typeof code === 'string' ? `LLM connection failed: ${code} ${detail}` : `LLM call failed: ${detail}`;
  return new LlmUnavailableError(what, { cause: e });
}

/** The API's own message when the body is its JSON error, else the body itself. */
function bodyMessage(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  try {
    const body = JSON.parse(trimmed) as { error?: unknown } | null;
    return body?.error === undefined ? trimmed : errorMessage(body.error);
  } catch {
    return trimmed;
  }
}

function errorMessage(error: unknown): string {
  const m = (error as { message?: unknown } | null)?.message;
  if (typeof m === 'string') return m;
  return JSON.stringify(m ?? error) ?? String(error);
}

/** An error page from a proxy (nginx 502, a login page) is HTML: keep its words, short. */
export function readableMessage(m: string): string {
  if (!/<(html|body|head|title|!doctype)/i.test(m)) return m;
  const words = m.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return `(an HTML error page, not the API's JSON: a proxy or a wrong OPENAI_BASE_URL?) ${words.slice(0, 200)}`;
}
