import { z } from 'zod';
import { DEFAULTS } from './constants.ts';

/**
 * Caller-chosen ids (conversation, customer): 1–128 of letters, digits and `_ . @ # -`. No ':' —
 * it separates the parts of Redis keys (docs/adr/0013-ownership-model.md) — and no whitespace.
 */
export const ID_PATTERN = /^[A-Za-z0-9_.@#-]{1,128}$/;
const Id = z.string().regex(ID_PATTERN, '1–128 of letters, digits and _ . @ # - only');

/** Body of `POST /v1/messages`. */
export const PostMessageBody = z
  .object({
    conversationId: Id.optional(),
    text: z.string().trim().min(1, 'must not be empty').max(DEFAULTS.messageMaxChars),
    customerId: Id.optional(),
    channel: z.string().min(1).max(64).regex(/^[a-z0-9_-]+$/).default('api'),
    messageId: z.string().min(1).max(256).optional(),
    locale: z.string().max(35).optional(),
    /** Where the channel delivers the answer (chat id, phone number…); optional for API callers. */
    recipient: z.string().max(256).optional(),
  })
  .strict();
export type PostMessageBody = z.infer<typeof PostMessageBody>;

export const ApiError = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ApiError = z.infer<typeof ApiError>;
