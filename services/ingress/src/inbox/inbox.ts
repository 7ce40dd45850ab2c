import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';

// Only our own files: no inline script, no third-party origin, no framing.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function asset(name: string): string {
  return readFileSync(new URL(`../../public/${name}`, import.meta.url), 'utf8');
}

/**
 * `GET /inbox`: the operators' page (static; every action goes through the operator API with the
 * key the operator types in, so serving the page itself needs no credential).
 */
export function inboxRoutes(app: FastifyInstance): void {
  const files = { html: asset('inbox.html'), js: asset('inbox.js'), css: asset('inbox.css') };
  const page = (type: string, body: string) => (_req: unknown, reply: FastifyReply) =>
    reply
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .type(type)
      .send(body);
  app.get('/inbox', page('text/html; charset=utf-8', files.html));
  app.get('/inbox/inbox.js', page('text/javascript; charset=utf-8', files.js));
  app.get('/inbox/inbox.css', page('text/css; charset=utf-8', files.css));
}
