// A Redis that does not answer is a temporary condition of the server, never the caller's fault:
// the request is answered 503 with Retry-After so clients and platforms retry later, instead of
// hanging on a connection that will not answer.
import { StewardError, isStewardError } from '@steward/core';

export class RedisUnavailableError extends StewardError {
  constructor(what: string, cause?: unknown) {
    super('redis_unavailable', `Redis did not answer in time (${what}); retry later`, {
      kind: 'unavailable',
      retryable: true,
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

// What ioredis throws when a command times out (commandTimeout), the connection is gone, or a
// command ran out of reconnection attempts.
const IOREDIS_UNAVAILABLE = /^(Command timed out|Connection is closed|Stream isn't writeable|Reached the max retries per request limit)/;
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTCONN']);

export function isRedisUnavailable(e: unknown): boolean {
  if (isStewardError(e)) return e.code === 'redis_unavailable';
  if (!(e instanceof Error)) return false;
  if (e.name === 'MaxRetriesPerRequestError' || IOREDIS_UNAVAILABLE.test(e.message)) return true;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && NET_CODES.has(code);
}

/**
 * `work` or a RedisUnavailableError after `ms`: a backstop for a request that makes several
 * Redis calls, some on connections the ingress does not own (admission). The work is not
 * cancelled; what it may still write is covered by message de-duplication on the retry.
 */
export async function withRedisDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnavailableError(what)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
