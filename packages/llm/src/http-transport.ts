// POST a JSON body over node:http(s) with a keep-alive Agent, and hand back the response as
// it arrives. Replaces the OpenAI SDK's fetch transport on the reasoning-worker's hot path:
// fetch (undici), web streams and the SDK's layers cost ~20 % of that worker's CPU per query
// (docs/BENCHMARKS.md, "Lean HTTP clients"). Sockets are reused and bounded, so a burst of
// calls waits for a socket instead of opening hundreds of connections to the provider.
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import { urlToHttpOptions } from 'node:url';

export interface HttpTransportOptions {
  /** Sockets open at once per host; more concurrent calls queue for one. */
  maxSockets: number;
  /**
   * HTTP_PROXY / HTTPS_PROXY / NO_PROXY to honour. By default the process environment when
   * NODE_USE_ENV_PROXY=1, the switch with which Node's fetch (the SDK's transport) used them.
   */
  proxyEnv?: NodeJS.ProcessEnv;
}

export interface HttpTransport {
  /**
   * Sends the request; resolves with the response once its status and headers are in. Aborting
   * `signal` destroys the request (and the response being read) with the signal's reason.
   */
  post(url: URL, headers: OutgoingHttpHeaders, body: string | Buffer, signal: AbortSignal): Promise<IncomingMessage>;
  /** Closes the idle sockets (tests, shutdown). */
  close(): void;
}

export function createHttpTransport(opts: HttpTransportOptions): HttpTransport {
  const proxyEnv = opts.proxyEnv ?? (process.env.NODE_USE_ENV_PROXY === '1' ? process.env : undefined);
  const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets, ...(proxyEnv ? { proxyEnv } : {}) };
  const agents = { 'http:': new http.Agent(agentOpts), 'https:': new https.Agent(agentOpts) };
  return {
    post(url, headers, body, signal) {
      const secure = url.protocol === 'https:';
      const agent = secure ? agents['https:'] : agents['http:'];
      const request = secure ? https.request : http.request;
      return new Promise((resolve, reject) => {
        const req = request({ ...targetOf(url), method: 'POST', agent, headers: { ...headers, 'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length } }, resolve);
        req.on('error', reject);
        // The signal is the attempt's own (it goes with the attempt): one listener on it does what
        // the `signal` option did, without that option's stream plumbing (addAbortSignal and a
        // finished() watcher per request, ~1 % of the reasoning-worker's CPU).
        const abort = () => req.destroy(abortError(signal.reason));
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
        req.end(body);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

// The request options of a URL, made once per URL object: a client posts to the one URL of its
// endpoint, and parsing it again (urlToHttpOptions) on every call is work for nothing.
const targets = new WeakMap<URL, ReturnType<typeof urlToHttpOptions>>();
function targetOf(url: URL): ReturnType<typeof urlToHttpOptions> {
  let t = targets.get(url);
  if (!t) targets.set(url, (t = urlToHttpOptions(url)));
  return t;
}

/** What the `signal` option of http.request destroys the request with (Node's AbortError). */
function abortError(reason: unknown): Error {
  const e = new Error('The operation was aborted', { cause: reason });
  e.name = 'AbortError';
  return Object.assign(e, { code: 'ABORT_ERR' });
}

/** The whole body as text (UTF-8); rejects if the connection drops or the request is aborted. */
export function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let text = '';
    res.on('data', (b: Buffer) => (text += decoder.write(b)));
    res.on('end', () => resolve(text + decoder.end()));
    res.on('error', reject);
    // A socket closed before the end of the body: 'error' follows ('aborted'), unless already ended.
    res.on('close', () => {
      if (!res.complete) reject(new Error('the connection closed before the response ended'));
    });
  });
}

/** Feeds the body's text to `onText` as it arrives (streamed replies); resolves at its end. */
export function readTextChunks(res: IncomingMessage, onText: (text: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    res.on('data', (b: Buffer) => {
      const text = decoder.write(b);
      if (text === '') return;
      try {
        onText(text);
      } catch (e) {
        // A chunk we cannot use (not JSON, an error event): stop reading, give the socket back.
        res.destroy();
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    res.on('end', () => {
      const rest = decoder.end();
      try {
        if (rest !== '') onText(rest);
        resolve();
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new Error('the connection closed before the stream ended'));
    });
  });
}
