import { StewardError } from '@steward/core';

/**
 * A failed delivery attempt. `retryable` decides between BullMQ's next attempt (network error,
 * 5xx, 429, platform "try later") and the dead-letter state at once (bad token, unknown chat,
 * channel not configured: retrying cannot help). Messages never carry the recipient or the text.
 */
export class DeliveryError extends StewardError {
  constructor(code: string, message: string, retryable: boolean) {
    super(code, message, { kind: retryable ? 'unavailable' : 'validation', retryable });
  }
}

export const notConfigured = (what: string) => new DeliveryError('channel_not_configured', `${what} is not configured`, false);
