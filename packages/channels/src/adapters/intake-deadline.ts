import { TransientError } from '@steward/core';

/** Redis work of one webhook (all its messages) past which the platform gets a 503 and retries. */
export const INTAKE_DEADLINE_MS = 5_000;

/**
 * `work`, or a retryable `redis_unavailable` error after `ms` (the ingress answers it 503 with
 * Retry-After). A stalled Redis must not hold a platform's webhook until the platform itself
 * times out: Meta and Telegram then back off for longer and may disable the webhook.
 */
export async function withIntakeDeadline<T>(work: Promise<T>, ms: number = INTAKE_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TransientError('redis_unavailable', 'Redis did not answer in time; retry later')), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
