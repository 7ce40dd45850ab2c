import { createHmac } from 'node:crypto';
import { safeEqual } from '../safe-equal.ts';
import { OK, checkTimestamp, refuse, type Verdict } from './verdict.ts';

/** Slack's v0 signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret. */
export function signSlack(secret: string, timestamp: string, rawBody: Buffer): string {
  const mac = createHmac('sha256', secret).update(`v0:${timestamp}:`, 'utf8').update(rawBody).digest('hex');
  return `v0=${mac}`;
}

export interface SlackRequest {
  rawBody: Buffer;
  /** X-Slack-Request-Timestamp */
  timestamp: string | undefined;
  /** X-Slack-Signature */
  signature: string | undefined;
}

export function verifySlack(req: SlackRequest, secret: string | undefined, nowSec: number, toleranceSec: number): Verdict {
  if (!secret) return refuse('channel_not_configured', 'Slack is not configured on this deployment');
  if (!req.signature) return refuse('missing_signature', 'X-Slack-Signature is missing');
  // The timestamp check comes first: it is what makes a captured request useless after 5 minutes.
  const t = checkTimestamp(req.timestamp, nowSec, toleranceSec);
  if (!t.ok) return t;
  const expected = signSlack(secret, req.timestamp!, req.rawBody);
  return safeEqual(expected, req.signature) ? OK : refuse('invalid_signature', 'X-Slack-Signature does not match');
}
