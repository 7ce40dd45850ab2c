import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CHANNEL_LIMITS } from '../constants.ts';
import { installHardenedJson } from './hardened-json.ts';
import { replyError } from './reply-error.ts';

export interface HardenOptions {
  /** Bytes of one JSON body (default 256 KiB, never more than the ingress's own bodyLimit). */
  bodyLimit?: number;
  /** Characters of a customer message (`text`), default 4,000. */
  messageMaxChars?: number;
  maxDepth?: number;
  maxFields?: number;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Applied to the whole ingress app: every malformed or hostile request ends in a 4xx with a
 * stable code before a handler runs, so nothing reaches the queues. Register it on the root
 * instance (the ingress passes plugins the root app), before or after the routes.
 */
export function hardenInput(o: HardenOptions = {}) {
  const maxChars = o.messageMaxChars ?? CHANNEL_LIMITS.messageMaxChars;
  return (app: FastifyInstance): void => {
    installHardenedJson(app, {
      bodyLimit: o.bodyLimit ?? CHANNEL_LIMITS.bodyLimitBytes,
      maxDepth: o.maxDepth ?? CHANNEL_LIMITS.jsonMaxDepth,
      maxFields: o.maxFields ?? CHANNEL_LIMITS.jsonMaxFields,
    });
    app.addHook('onRequest', async (req, reply) => checkContentType(req, reply));
    app.addHook('preValidation', async (req, reply) => {
      if (reply.sent) return;
      const v = checkMessageText(req.body, maxChars);
      if (v) return replyError(reply, 400, v.code, v.message);
    });
  };
}

/** A body must be declared as JSON (charset utf-8 or none); anything else is a 415. */
export function checkContentType(req: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  if (!BODY_METHODS.has(req.method)) return undefined;
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return undefined;
  const ct = (req.headers['content-type'] ?? '').toLowerCase();
  const [type, ...params] = ct.split(';').map((s) => s.trim());
  const charset = params.find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '');
  if (type !== 'application/json' || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    return replyError(reply, 415, 'unsupported_media_type', 'send application/json in UTF-8');
  }
  return undefined;
}

/** The customer's text: bounded, well-formed Unicode, no NUL. */
export function checkMessageText(body: unknown, maxChars: number): { code: string; message: string } | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const text = (body as { text?: unknown }).text;
  if (typeof text !== 'string') return null;
  if (text.length > maxChars) return { code: 'message_too_long', message: `the message is longer than ${maxChars} characters` };
  if (!text.isWellFormed()) return { code: 'invalid_text', message: 'the message contains unpaired surrogates' };
  if (text.includes('\u0000')) return { code: 'invalid_text', message: 'the message contains NUL characters' };
  return null;
}
