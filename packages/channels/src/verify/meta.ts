import { createHmac } from 'node:crypto';
import { safeEqual } from '../safe-equal.ts';
import { OK, refuse, type Verdict } from './verdict.ts';

/** Meta (WhatsApp Cloud API) signs the raw body: `sha256=` + hex HMAC-SHA256 with the app secret. */
export function signMeta(appSecret: string, rawBody: Buffer): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

export function verifyMeta(rawBody: Buffer, signature: string | undefined, appSecret: string | undefined): Verdict {
  if (!appSecret) return refuse('channel_not_configured', 'WhatsApp is not configured on this deployment');
  if (!signature) return refuse('missing_signature', 'X-Hub-Signature-256 is missing');
  return safeEqual(signMeta(appSecret, rawBody), signature) ? OK : refuse('invalid_signature', 'X-Hub-Signature-256 does not match');
}

/**
 * The subscription handshake (GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…):
 * Meta expects the challenge echoed as the plain body when the token is ours.
 */
export function verifyMetaHandshake(
  query: Record<string, unknown>,
  verifyToken: string | undefined,
): { ok: true; challenge: string } | (Verdict & { ok: false }) {
  if (!verifyToken) return { ok: false, code: 'channel_not_configured', message: 'WhatsApp is not configured on this deployment' };
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string' || !/^[\w.-]{1,256}$/.test(challenge)) {
    return { ok: false, code: 'verify_token_mismatch', message: 'not a valid subscription handshake' };
  }
  if (!safeEqual(token, verifyToken)) return { ok: false, code: 'verify_token_mismatch', message: 'hub.verify_token does not match' };
  return { ok: true, challenge };
}
