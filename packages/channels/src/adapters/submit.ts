import type { FastifyReply, FastifyRequest } from 'fastify';
import { PostMessageBody } from '@steward/core';
import { acceptMessage, checkMessage, type IntakeDeps, type Principal } from '@steward/store';
import { checkMessageText } from '../input/harden-input.ts';
import { replyError } from '../input/reply-error.ts';
import type { InboundMessage } from './to-messages.ts';

export interface SubmitOptions {
  messageMaxChars: number;
}

export type SubmitOutcome =
  | { kind: 'accepted'; results: { queryId: string; conversationId: string; duplicate: boolean }[] }
  | { kind: 'replied' };

/**
 * Validate extracted messages with the same rules as `POST /v1/messages` and the ownership
 * rules of the adapter's principal, then hand each to `acceptMessage` (dedupe on principal +
 * channel + messageId, enqueue turn 0). Never waits for the model.
 * A refusal by admission control becomes a 429 with Retry-After: the platform retries later and
 * the messages already accepted are de-duplicated then.
 */
export async function submitMessages(
  deps: IntakeDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  messages: InboundMessage[],
  o: SubmitOptions & { principal: Principal },
): Promise<SubmitOutcome> {
  const valid: { msg: PostMessageBody; platformUser: string | undefined }[] = [];
  for (const m of messages) {
    const bad = checkMessageText(m, o.messageMaxChars);
    if (bad) {
      replyError(reply, 400, bad.code, bad.message);
      return { kind: 'replied' };
    }
    const { platformUser, ...body } = m;
    const parsed = PostMessageBody.safeParse(body);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
      replyError(reply, 400, 'invalid_request', 'the message failed validation', details);
      return { kind: 'replied' };
    }
    const allowed = checkMessage(o.principal, parsed.data, { viaApi: false });
    if (!allowed.ok) {
      replyError(reply, allowed.status, allowed.code, allowed.message);
      return { kind: 'replied' };
    }
    valid.push({ msg: parsed.data, platformUser });
  }
  const traceparent = typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined;
  const results: { queryId: string; conversationId: string; duplicate: boolean }[] = [];
  for (const { msg, platformUser } of valid) {
    const r = await acceptMessage(deps, msg, { sender: { principal: o.principal.id, platformUser }, traceparent });
    if (r.ok) {
      results.push({ queryId: r.queryId, conversationId: r.conversationId, duplicate: r.duplicate });
      continue;
    }
    if ('retryAfterSec' in r) {
      reply.header('retry-after', String(Math.max(1, Math.ceil(r.retryAfterSec))));
      replyError(reply, 429, r.code, r.message);
    } else {
      replyError(reply, 403, r.code, r.message);
    }
    return { kind: 'replied' };
  }
  return { kind: 'accepted', results };
}
