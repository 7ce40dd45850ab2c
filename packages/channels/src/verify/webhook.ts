import { createHmac } from 'node:crypto';
import { safeEqual } from '../safe-equal.ts';
import { OK, checkTimestamp, refuse, type Verdict } from './verdict.ts';

/**
 * steward's own scheme, used both ways (platform → us, us → platform callback):
 * `X-Steward-Timestamp: {unix seconds}` and `X-Steward-Signature: sha256=` + hex HMAC-SHA256 of
 * `{timestamp}.{raw body}` with the channel's shared secret.
 */
export function signWebhook(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody).digest('hex')}`;
}

export interface WebhookRequest {
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
}

/** Checks timestamp and signature; replay protection is separate (it needs Redis: see replay-guard.ts). */
export function verifyWebhook(req: WebhookRequest, secret: string | undefined, nowSec: number, toleranceSec: number): Verdict {
  if (!secret) return refuse('channel_not_configured', 'this webhook channel is not configured');
  if (!req.signature) return refuse('missing_signature', 'X-Steward-Signature is missing');
  const t = checkTimestamp(req.timestamp, nowSec, toleranceSec);
  if (!t.ok) return t;
  return safeEqual(signWebhook(secret, req.timestamp!, req.rawBody), req.signature)
    ? OK
    : refuse('invalid_signature', 'X-Steward-Signature does not match');
}
