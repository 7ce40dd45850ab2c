import type { FastifyReply } from 'fastify';

/** The one error shape of the API: `{error:{code, message, details?}}` with a stable code. */
export function sendError(reply: FastifyReply, status: number, code: string, message: string, details?: unknown) {
  return reply.code(status).send({ error: { code, message, ...(details === undefined ? {} : { details }) } });
}

/** Fastify's own errors (bad JSON, body too large, wrong content type) mapped to stable codes. */
export function mapFrameworkError(err: { code?: string; statusCode?: number; message: string }): {
  status: number;
  code: string;
  message: string;
} {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'invalid_json', message: 'request body is not valid JSON' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'payload_too_large', message: 'request body is too large' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'unsupported_media_type', message: 'send application/json' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'invalid_content_length', message: 'content-length does not match the body' };
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, code: 'bad_request', message: err.message };
  }
  return { status: 500, code: 'internal', message: 'internal error' };
}
