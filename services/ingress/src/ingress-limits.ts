// Limits of the ingress's own request path. Each is overridable through IngressOptions / env.
export const INGRESS_LIMITS = {
  /**
   * Every command on the ingress's Redis connections fails after this long. A stalled Redis
   * (paused, swapping, a long Lua script elsewhere) must turn into a quick 503, not a hung
   * request that holds a platform's webhook until it times out and retries.
   */
  redisCommandTimeoutMs: 2_000,
  /** Whole-request backstop for the Redis work of POST /v1/messages (several commands). */
  intakeDeadlineMs: 5_000,
  /** Retry-After (seconds) sent with a 503 while Redis does not answer. */
  redisRetryAfterSec: 5,
  /** Open event streams (SSE) per principal (API key) and per ingress process. */
  sseMaxPerPrincipal: 20,
  sseMaxTotal: 2_000,
  /** An event stream is closed after this long; the client reconnects if it still cares. */
  sseMaxLifetimeMs: 5 * 60_000,
} as const;
