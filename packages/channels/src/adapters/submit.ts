import type { FastifyReply, FastifyRequest } from 'fastify';
import { PostMessageBody } from '@steward/core';
import { acceptMessage, type IntakeDeps } from '@steward/store';
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
 * Validate extracted messages with the same rules as `POST /v1/messages`, then hand each to
 * `acceptMessage` (dedupe on channel + messageId, enqueue turn 0). Never waits for the model.
 * What one message carries never fails the others: a too-long text is cut with a note, a stale
 * or invalid message is skipped (and reported), because a failed webhook is retried whole and
 * would fail the same way forever. A refusal by admission control becomes a 429 with Retry-After
 * and a stalled Redis a 503: the platform retries later and what was accepted is de-duplicated.
 */
export async function submitMessages(
  deps: IntakeDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  messages: InboundMessage[],
  o: SubmitOptions,
): Promise<SubmitOutcome> {
  const valid: { body: PostMessageBody; truncated: boolean }[] = [];
  const skipped: Skipped[] = [];
  const now = o.nowSec();
  for (const m of messages) {
    if (tooOld(m.sentAtSec, now, o.maxMessageAgeSec)) {
      skipped.push({ messageId: m.messageId, code: 'message_too_old', message: `sent more than ${o.maxMessageAgeSec} s ago (or in the future)` });
      continue;
    }
    const { sentAtSec: _sent, ...rest } = m;
    const fitted = fitPlatformText(m.text, o.messageMaxChars);
    const parsed = PostMessageBody.safeParse({ ...rest, text: fitted.text });
    if (!parsed.success) {
      skipped.push({ messageId: m.messageId, code: 'invalid_request', message: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') });
      continue;
    }
    valid.push({ body: parsed.data, truncated: fitted.truncated });
  }
  const traceparent = typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined;
  const results: { queryId: string; conversationId: string; duplicate: boolean; truncated: boolean }[] = [];
  for (const { body, truncated } of valid) {
    const r = await withIntakeDeadline(acceptMessage(deps, body, { traceparent }));
    if (r.ok) {
      results.push({ queryId: r.queryId, conversationId: r.conversationId, duplicate: r.duplicate, truncated });
      continue;
    }
    if ('retryAfterSec' in r) {
      reply.header('retry-after', String(Math.max(1, Math.ceil(r.retryAfterSec))));
      replyError(reply, 429, r.code, r.message);
    } else {
      replyError(reply, 409, r.code, r.message);
    }
    return { kind: 'replied' };
  }
  return { kind: 'accepted', results, skipped };
}
