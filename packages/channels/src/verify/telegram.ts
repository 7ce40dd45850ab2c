import { safeEqual } from '../safe-equal.ts';
import { OK, refuse, type Verdict } from './verdict.ts';

/**
 * Telegram does not sign bodies: setWebhook's `secret_token` comes back verbatim in
 * X-Telegram-Bot-Api-Secret-Token on every update, and that is the whole check.
 */
export function verifyTelegram(header: string | undefined, secretToken: string | undefined): Verdict {
  if (!secretToken) return refuse('channel_not_configured', 'Telegram is not configured on this deployment');
  if (!header) return refuse('missing_signature', 'X-Telegram-Bot-Api-Secret-Token is missing');
  return safeEqual(header, secretToken) ? OK : refuse('invalid_signature', 'X-Telegram-Bot-Api-Secret-Token does not match');
}
