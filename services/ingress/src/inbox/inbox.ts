import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { staticPage } from '@steward/channels';

function asset(name: string): string {
  return readFileSync(new URL(`../../public/${name}`, import.meta.url), 'utf8');
}

/**
 * `GET /inbox`: the operators' page (static; every action goes through the operator API with the
 * key the operator types in, so serving the page itself needs no credential).
 */
export function inboxRoutes(app: FastifyInstance): void {
  const files = { html: asset('inbox.html'), js: asset('inbox.js'), css: asset('inbox.css') };
  const page = staticPage;
  app.get('/inbox', page('text/html; charset=utf-8', files.html));
  app.get('/inbox/inbox.js', page('text/javascript; charset=utf-8', files.js));
  app.get('/inbox/inbox.css', page('text/css; charset=utf-8', files.css));
}
