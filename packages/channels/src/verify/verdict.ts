/** Outcome of checking a request's authenticity; a refusal carries a stable error code. */
export type Verdict = { ok: true } | { ok: false; code: VerifyCode; message: string };

export type VerifyCode =
  | 'channel_not_configured'
  | 'missing_signature'
  | 'invalid_signature'
  | 'invalid_timestamp'
  | 'stale_timestamp'
  | 'replayed_request'
  | 'verify_token_mismatch';

export const OK: Verdict = { ok: true };

export function refuse(code: VerifyCode, message: string): Verdict {
  return { ok: false, code, message };
}

/** One header value (Node gives arrays for repeated headers: a repeated signature is refused). */
export function single(h: string | string[] | undefined): string | undefined {
  return typeof h === 'string' ? h : undefined;
}

/** Unix seconds within ±tolerance of now; anything else is refused before any HMAC is computed. */
export function checkTimestamp(header: string | undefined, nowSec: number, toleranceSec: number): Verdict {
  if (header === undefined) return refuse('missing_signature', 'the request timestamp header is missing');
  if (!/^\d{1,12}$/.test(header)) return refuse('invalid_timestamp', 'the request timestamp is not unix seconds');
  if (Math.abs(nowSec - Number(header)) > toleranceSec) {
    return refuse('stale_timestamp', `the request timestamp is more than ${toleranceSec} s away from now`);
  }
  return OK;
}
