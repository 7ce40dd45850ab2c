// One of steward's own static pages (web chat, operator inbox): only our own files — no inline
// script, no third-party origin, no framing — never cached stale, never sniffed.
import type { FastifyReply } from 'fastify';

export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** A route handler that sends `body` as `type` with the page security headers. */
export function staticPage(type: string, body: string) {
  return (_req: unknown, reply: FastifyReply) =>
    reply
      .header('content-security-policy', PAGE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .type(type)
      .send(body);
}
