// A real HTTP server standing in for the platforms' send APIs: each path answers from a script
// (one response per request, the last one repeated) and records what it received.
import { createServer, type Server } from 'node:http';
import { freePort } from '@steward/testing';

export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: unknown;
  answered: number;
}

export interface ScriptedResponse {
  status: number;
  body?: unknown;
  /** Answer this late (a slow platform, so that concurrent attempts overlap). */
  delayMs?: number;
}

export interface PlatformDouble {
  url: string;
  received: Received[];
  script(path: string, responses: ScriptedResponse[]): void;
  close(): Promise<void>;
}

export async function startPlatformDouble(): Promise<PlatformDouble> {
  const scripts = new Map<string, ScriptedResponse[]>();
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0]!;
      const script = scripts.get(path) ?? [{ status: 404, body: { error: 'no script' } }];
      const r = script.length > 1 ? script.shift()! : script[0]!;
      let body: unknown = null;
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      received.push({ path, headers: req.headers, raw, body, answered: r.status });
      setTimeout(() => {
        res.writeHead(r.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(r.body ?? {}));
      }, r.delayMs ?? 0);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script: (path, responses) => scripts.set(path, [...responses]),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
