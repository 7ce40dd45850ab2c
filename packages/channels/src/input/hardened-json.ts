import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkJsonShape } from './json-shape.ts';

export interface JsonLimits {
  bodyLimit: number;
  maxDepth: number;
  maxFields: number;
}

export interface Rejection {
  status: number;
  code: string;
  message: string;
}

// Keyed by the Node request so nothing is added to Fastify's request type.
const rawBodies = new WeakMap<object, Buffer>();
const rejections = new WeakMap<object, Rejection>();

/** The exact bytes of a JSON request (signatures are computed over these, never over re-serialised JSON). */
export function rawBodyOf(req: FastifyRequest): Buffer | undefined {
  return rawBodies.get(req.raw);
}

/** Mark a request as refused; the preValidation hook sends the error before any handler runs. */
export function rejectRequest(req: FastifyRequest, r: Rejection): void {
  rejections.set(req.raw, r);
}

function parseStrict(buf: Buffer, limits: JsonLimits): { ok: true; value: unknown } | { ok: false; r: Rejection } {
  if (buf.length === 0) return { ok: false, r: { status: 400, code: 'invalid_json', message: 'request body is empty' } };
  if (!isUtf8(buf)) return { ok: false, r: { status: 400, code: 'invalid_utf8', message: 'request body is not valid UTF-8' } };
  const shape = checkJsonShape(buf, limits.maxDepth, limits.maxFields);
  if (!shape.ok) return { ok: false, r: { status: 400, code: shape.code, message: shape.message } };
  try {
    const text = buf.toString('utf8');
    // JSON.parse makes "__proto__" an own property; merged later into an object it would
    // become that object's prototype (prototype poisoning). A key can only spell it literally or
    // with \u escapes (JSON has no other escape for those letters), so a text with neither is
    // parsed without the reviver, which called back once per value of every request.
    const value: unknown = mayHideProtoKey(text) ? JSON.parse(text, refuseProtoKey) : JSON.parse(text);
    return { ok: true, value };
  } catch (e) {
    if (e instanceof ForbiddenKey) return { ok: false, r: { status: 400, code: 'forbidden_key', message: '"__proto__" is not accepted as a key' } };
    return { ok: false, r: { status: 400, code: 'invalid_json', message: 'request body is not valid JSON' } };
  }
}

class ForbiddenKey extends Error {}

function mayHideProtoKey(text: string): boolean {
  return text.includes('__proto__') || text.includes('\\u');
}

function refuseProtoKey(key: string, v: unknown): unknown {
  if (key === '__proto__') throw new ForbiddenKey();
  return v;
}

/**
 * Replace the JSON parser of this Fastify scope with one that keeps the raw bytes and refuses
 * invalid UTF-8, empty bodies, deep or huge structures and prototype keys with stable 400 codes
 * (instead of Fastify's generic errors), and install the hook that sends those refusals.
 */
export function installHardenedJson(app: FastifyInstance, limits: JsonLimits): void {
  // A parser's own bodyLimit replaces the server's: never let it raise what the ingress set.
  const bodyLimit = Math.min(limits.bodyLimit, app.initialConfig.bodyLimit ?? limits.bodyLimit);
  if (app.hasContentTypeParser('application/json')) app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (req, body, done) => {
    const buf = body as Buffer;
    rawBodies.set(req.raw, buf);
    const r = parseStrict(buf, limits);
    if (r.ok) done(null, r.value);
    else {
      rejectRequest(req, r.r);
      done(null, undefined);
    }
  });
  app.addHook('preValidation', sendRejection);
}

export async function sendRejection(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const r = rejections.get(req.raw);
  if (!r || reply.sent) return;
  rejections.delete(req.raw);
  return reply.code(r.status).send({ error: { code: r.code, message: r.message } });
}
