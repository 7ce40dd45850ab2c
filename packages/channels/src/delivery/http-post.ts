import { errorMessage } from '@steward/core';
import { DeliveryError } from './delivery-error.ts';

export interface PostResult {
  status: number;
  json: unknown;
}

export type FetchFn = typeof fetch;

/**
 * POST JSON to a platform. Transport failures and timeouts are retryable; the caller decides
 * on the status and body. `label` names the endpoint in errors: URLs may hold a bot token.
 */
export async function postJson(
  fetchFn: FetchFn,
  url: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
  label: string,
): Promise<PostResult & { raw: string }> {
  // A pre-serialised body is sent byte for byte (its signature was computed over those bytes).
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body: raw,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (e) {
    throw new DeliveryError('delivery_unreachable', `${label}: ${errorMessage(e).slice(0, 200)}`, true);
  }
  const text = await res.text().catch(() => '');
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, json, raw };
}

/** 429 and 5xx (and 408) are worth another attempt; other 4xx are not. */
export function failIfHttpError(status: number, label: string, detail = ''): void {
  if (status >= 200 && status < 300) return;
  const retryable = status === 408 || status === 429 || status >= 500;
  throw new DeliveryError(retryable ? 'delivery_unavailable' : 'delivery_rejected', `${label} answered HTTP ${status}${detail ? ` (${detail})` : ''}`, retryable);
}
