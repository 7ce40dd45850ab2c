// Typed HTTP client of the shop (services/shop), used by the tool-worker. A 5xx, a refused
// connection or a timeout is a TransientError (retry); a 4xx is final.
import { ShopToolResponse, StewardError, TransientError, type ShopToolRequest, DEFAULTS } from '@steward/core';

export interface ShopClientOptions {
  /** Per call; the tool timeout by default. */
  timeoutMs?: number;
  /** Sent as `Authorization: Bearer …` when set. */
  token?: string;
}

export interface ShopClient {
  invoke(name: string, request: ShopToolRequest, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<ShopToolResponse>;
}

export function createShopClient(baseUrl: string, opts: ShopClientOptions = {}): ShopClient {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async invoke(name, request, callOpts = {}) {
      const timeoutMs = callOpts.timeoutMs ?? opts.timeoutMs ?? DEFAULTS.toolTimeoutMs;
      const signals = [AbortSignal.timeout(timeoutMs), ...(callOpts.signal ? [callOpts.signal] : [])];
      let res: Response;
      try {
        res = await fetch(`${base}/v1/tools/${encodeURIComponent(name)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
          body: JSON.stringify(request),
          signal: AbortSignal.any(signals),
        });
      } catch (e) {
        if (callOpts.signal?.aborted) throw new StewardError('shop_aborted', `shop call ${name} aborted`, { kind: 'internal', retryable: false, cause: e });
        const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
        throw new TransientError(timedOut ? 'shop_timeout' : 'shop_unreachable', `shop call ${name} ${timedOut ? `timed out after ${timeoutMs} ms` : 'failed to connect'}`, { cause: e });
      }
      const text = await res.text().catch(() => '');
      if (res.status >= 500 || res.status === 429) {
        const retryAfter = Number(res.headers.get('retry-after'));
        throw new TransientError(`shop_http_${res.status}`, `shop answered ${res.status} to ${name}: ${errorText(text)}`, {
          ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
        });
      }
      if (res.status >= 400) {
        const kind = res.status === 404 ? 'not_found' : res.status === 401 || res.status === 403 ? 'unauthorized' : 'validation';
        throw new StewardError(`shop_http_${res.status}`, `shop refused ${name} (${res.status}): ${errorText(text)}`, { kind, retryable: false });
      }
      const parsed = ShopToolResponse.safeParse(safeJson(text));
      if (!parsed.success) {
        throw new StewardError('shop_bad_response', `shop answered ${name} with an invalid body`, { kind: 'internal', retryable: false });
      }
      return parsed.data;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorText(text: string): string {
  const body = safeJson(text) as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? text.slice(0, 200);
}
