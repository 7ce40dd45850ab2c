// Typed HTTP client of the shop (services/shop), used by the tool-worker. A 5xx, a 429, a refused
// connection or a timeout is a TransientError (retry); a 4xx is final.
// Over node:http with a keep-alive Agent rather than fetch: undici and its web streams were ~20 %
// of the tool-worker's CPU per query for a small JSON POST (docs/BENCHMARKS.md, "Lean HTTP clients").
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { ShopToolResponse, StewardError, TransientError, type ShopToolRequest, DEFAULTS } from '@steward/core';

/**
 * Keep-alive sockets to the shop per client: above the tool-worker's default concurrency (50),
 * so calls never wait for a socket at the defaults, and bounded so a burst cannot open hundreds.
 */
export const SHOP_MAX_SOCKETS = 64;

export interface ShopClientOptions {
  /** Per call; the tool timeout by default. */
  timeoutMs?: number;
  /** Sent as `Authorization: Bearer …` when set. */
  token?: string;
  /** Sockets open at once to the shop; more concurrent calls wait for one. */
  maxSockets?: number;
}

export interface ShopClient {
  invoke(name: string, request: ShopToolRequest, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<ShopToolResponse>;
}

interface Reply {
  status: number;
  retryAfter: string | undefined;
  text: string;
}

/** Why a call stopped before its reply was whole; the transport's own error otherwise. */
class Stopped extends Error {
  readonly reason: 'timeout' | 'aborted';
  constructor(reason: 'timeout' | 'aborted') {
    super(reason);
    this.reason = reason;
  }
}

export function createShopClient(baseUrl: string, opts: ShopClientOptions = {}): ShopClient {
  const base = baseUrl.replace(/\/+$/, '');
  const secure = base.startsWith('https:');
  const maxSockets = opts.maxSockets ?? SHOP_MAX_SOCKETS;
  // HTTP(S)_PROXY / NO_PROXY apply under NODE_USE_ENV_PROXY=1, as they did to fetch.
  const proxyEnv = process.env.NODE_USE_ENV_PROXY === '1' ? { proxyEnv: process.env } : {};
  const agentOpts = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ...proxyEnv };
  const agent = secure ? new https.Agent(agentOpts) : new http.Agent(agentOpts);
  const send = secure ? https.request : http.request;
  const auth = opts.token ? { authorization: `Bearer ${opts.token}` } : {};

  /** One POST; rejects with Stopped on our timeout or the caller's abort, else the socket's error. */
  function post(name: string, body: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = send(`${base}/v1/tools/${encodeURIComponent(name)}`, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...auth },
      });
      const stop = (reason: Stopped['reason']) => req.destroy(new Stopped(reason));
      const timer = setTimeout(() => stop('timeout'), timeoutMs);
      const onAbort = () => stop('aborted');
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
      const fail = (e: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      };
      req.on('error', fail);
      req.on('response', (res: IncomingMessage) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (s: string) => (text += s));
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(new Error('the shop closed the connection before its reply ended'));
        });
        res.on('end', () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          const ra = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(ra) ? ra[0] : ra, text });
        });
      });
      req.end(body);
    });
  }

  return {
    async invoke(name, request, callOpts = {}) {
      const timeoutMs = callOpts.timeoutMs ?? opts.timeoutMs ?? DEFAULTS.toolTimeoutMs;
      let res: Reply;
      try {
        res = await post(name, JSON.stringify(request), timeoutMs, callOpts.signal);
      } catch (e) {
        const why = e instanceof Stopped ? e.reason : undefined;
        if (why === 'aborted' || callOpts.signal?.aborted) throw new StewardError('shop_aborted', `shop call ${name} aborted`, { kind: 'internal', retryable: false, cause: e });
        const timedOut = why === 'timeout';
        throw new TransientError(timedOut ? 'shop_timeout' : 'shop_unreachable', `shop call ${name} ${timedOut ? `timed out after ${timeoutMs} ms` : 'failed to connect'}`, { cause: e });
      }
      if (res.status >= 500 || res.status === 429) {
        const retryAfter = Number(res.retryAfter);
        throw new TransientError(`shop_http_${res.status}`, `shop answered ${res.status} to ${name}: ${errorText(res.text)}`, {
          ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
        });
      }
      if (res.status >= 400) {
        const kind = res.status === 404 ? 'not_found' : res.status === 401 || res.status === 403 ? 'unauthorized' : 'validation';
        throw new StewardError(`shop_http_${res.status}`, `shop refused ${name} (${res.status}): ${errorText(res.text)}`, { kind, retryable: false });
      }
      const parsed = ShopToolResponse.safeParse(safeJson(res.text));
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
