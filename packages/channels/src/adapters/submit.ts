import type { FastifyReply, FastifyRequest } from 'fastify';
import { PostMessageBody } from '@steward/core';
import { acceptMessage, checkMessage, type IntakeDeps, type Principal } from '@steward/store';
import { replyError } from '../input/reply-error.ts';
import { fitPlatformText, tooOld } from './fit-platform-text.ts';
import { withIntakeDeadline } from './intake-deadline.ts';
import type { InboundMessage } from './to-messages.ts';

export interface SubmitOptions {
  messageMaxChars: number;
  maxMessageAgeSec: number;
  nowSec: () => number;
}

/** A message of the batch that was acknowledged but not taken, and why. */
export interface Skipped {
  messageId: string;
  code: 'message_too_old' | 'invalid_request';
  message: string;
}

export type SubmitOutcome =
  | { kind: 'accepted'; results: { queryId: string; conversationId: string; duplicate: boolean; truncated: boolean }[]; skipped: Skipped[] }
  | { kind: 'replied' };

/**
 * Validate extracted messages with the same rules as `POST /v1/messages` and the ownership
 * rules of the adapter's principal, then hand each to `acceptMessage` (dedupe on principal +
 * channel + messageId, enqueue turn 0). Never waits for the model.
 * What one message carries never fails the others: a too-long text is cut with a note, a stale
 * or invalid message is skipped (and reported), because a failed webhook is retried whole and
 * would fail the same way forever. A refusal by admission control becomes a 429 with Retry-After
 * and a stalled Redis a 503: the platform retries later and what was accepted is de-duplicated.
 * An ownership refusal fails the request (403): it is a misconfigured integration, not a message.
 */
export async function submitMessages(
  deps: IntakeDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  messages: InboundMessage[],
  o: SubmitOptions & { principal: Principal },
): Promise<SubmitOutcome> {
  const valid: { body: PostMessageBody; truncated: boolean; platformUser: string | undefined }[] = [];
  const skipped: Skipped[] = [];
  const now = o.nowSec();
  for (const m of messages) {
    if (tooOld(m.sentAtSec, now, o.maxMessageAgeSec)) {
      skipped.push({ messageId: m.messageId, code: 'message_too_old', message: `sent more than ${o.maxMessageAgeSec} s ago (or in the future)` });
      continue;
    }
    const { sentAtSec: _sent, platformUser, ...rest } = m;
    const fitted = fitPlatformText(m.text, o.messageMaxChars);
    const parsed = PostMessageBody.safeParse({ ...rest, text: fitted.text });
    if (!parsed.success) {
      skipped.push({ messageId: m.messageId, code: 'invalid_request', message: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') });
      continue;
    }
    const allowed = checkMessage(o.principal, parsed.data, { viaApi: false });
    if (!allowed.ok) {
      replyError(reply, allowed.status, allowed.code, allowed.message);
      return { kind: 'replied' };
    }
    valid.push({ body: parsed.data, truncated: fitted.truncated, platformUser });
  }
  const traceparent = typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined;
  const results: { queryId: string; conversationId: string; duplicate: boolean; truncated: boolean }[] = [];
  for (const { body, truncated, platformUser } of valid) {
    const r = await withIntakeDeadline(acceptMessage(deps, body, { sender: { principal: o.principal.id, platformUser }, traceparent }));
    if (r.ok) {
      results.push({ queryId: r.queryId, conversationId: r.conversationId, duplicate: r.duplicate, truncated });
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
  return { kind: 'accepted', results, skipped };
}
