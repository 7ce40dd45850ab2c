import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { replyError } from '../input/reply-error.ts';
import { staticPage } from './static-page.ts';

export interface WebChatOptions {
  /**
   * Demo mode: an API key (also listed in INGRESS_API_KEYS, ideally bound to the `web` channel:
   * `web=<key>`) handed to any browser that asks. Without it the page says the chat is off.
   */
  demoKey?: string;
  /**
   * Customer ids of the demo data, returned by /chat/config for tooling. The page never sends
   * one: the web chat's key is public, so its customers verify themselves in the conversation.
   */
  customers?: string[];
  /** Example questions shown as buttons, per language. */
  examples?: { en?: string[]; zh?: string[] };
}

const DEFAULT_CUSTOMERS = ['james_li_5688'];

function asset(name: string): string {
  return readFileSync(new URL(`../../public/${name}`, import.meta.url), 'utf8');
}


/** `GET /chat` (the page), its script and style, and `GET /chat/config` (demo mode only). */
export function webChat(o: WebChatOptions = {}) {
  const files = {
    html: asset('chat.html'),
    js: asset('chat.js'),
    css: asset('chat.css'),
  };
  return (app: FastifyInstance): void => {
    const page = staticPage;
    app.get('/chat', page('text/html; charset=utf-8', files.html));
    app.get('/chat/chat.js', page('text/javascript; charset=utf-8', files.js));
    app.get('/chat/chat.css', page('text/css; charset=utf-8', files.css));
    app.get('/chat/config', async (_req, reply) => {
      if (!o.demoKey) return replyError(reply, 404, 'demo_disabled', 'the web chat runs only in demo mode');
      reply.header('cache-control', 'no-store');
      return {
        key: o.demoKey,
        customers: o.customers?.length ? o.customers : DEFAULT_CUSTOMERS,
        examples: { en: o.examples?.en ?? [], zh: o.examples?.zh ?? [] },
      };
    });
  };
}
