import type { FastifyReply } from 'fastify';

/** The ingress error shape `{error:{code, message, details?}}`, for the routes of this package. */
export function replyError(reply: FastifyReply, status: number, code: string, message: string, details?: unknown): FastifyReply {
  return reply.code(status).send({ error: { code, message, ...(details === undefined ? {} : { details }) } });
}
