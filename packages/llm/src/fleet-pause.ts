// Fleet-wide backoff on a provider 429. The rate limit is the provider's, shared by every
// worker using the same API key: when one worker is told to slow down, all of them must.
// BullMQ's manual rate limit does exactly that: it sets the queue's limiter key in Redis, and
// every worker of the queue stops fetching jobs until it expires; the job that hit the 429 is
// put back to wait (not failed, attempts unchanged) by throwing Worker.RateLimitError().
//
// In the reasoning-worker's processor:
//
//   try {
//     completion = await llm.complete(req);
//   } catch (e) {
//     if (isFleetRateLimit(e)) await pauseFleet(queue, fleetPauseMs(e)); // throws RateLimitError
//     throw e;
//   }
//
// Pair it with `maxRateLimitRetries: 0` on the client to pause on the first 429 instead of
// after this worker's own retries.
//
// BullMQ only honours the manual limit when the queue has a limiter: its moveToActive script
// reads the limiter key only if a `max` is configured. Create every reasoning Worker with
// `limiter: FLEET_PAUSE_LIMITER` (or any limiter of your own, or call queue.setGlobalRateLimit),
// otherwise pauseFleet puts the job back but nobody waits.
import { Worker } from 'bullmq';
import { isStewardError } from '@steward/core';
import { LLM_DEFAULTS } from './constants.ts';

/**
 * A limiter that never limits by itself (a million jobs per second) but makes BullMQ honour
 * pauseFleet. Pass as the Worker option `limiter`.
 */
export const FLEET_PAUSE_LIMITER = { max: 1_000_000, duration: 1_000 } as const;

/** A BullMQ Queue (preferred; Worker.rateLimit is deprecated) or Worker of the reasoning queue. */
export interface RateLimitTarget {
  rateLimit(expireTimeMs: number): Promise<void>;
}

/**
 * Stop every worker of the queue from taking jobs for `ms`, then throw BullMQ's RateLimitError
 * so the current job goes back to wait. Call it from inside a processor, and let it throw.
 */
export async function pauseFleet(target: RateLimitTarget, ms: number): Promise<never> {
  await target.rateLimit(Math.max(1, Math.ceil(ms)));
  throw Worker.RateLimitError();
}

/** True for an error that should pause the fleet: a rate-limit StewardError. */
export function isFleetRateLimit(e: unknown): boolean {
  return isStewardError(e) && e.kind === 'rate_limited';
}

/** How long to pause for this error: the server's Retry-After, else the default. */
export function fleetPauseMs(e: unknown, fallbackMs: number = LLM_DEFAULTS.fleetPauseMs): number {
  return isStewardError(e) && e.retryAfterMs !== undefined ? e.retryAfterMs : fallbackMs;
}
