// The parts of each platform's webhook payload steward reads, as documented by the platform.
// Objects are loose: platforms add fields without notice and must not be refused for it.
import { z } from 'zod';

const SlackEvent = z
  .object({
    type: z.string().max(64),
    subtype: z.string().max(64).optional(),
    bot_id: z.string().max(64).optional(),
    app_id: z.string().max(64).optional(),
    user: z.string().max(64).optional(),
    text: z.string().optional(),
    channel: z.string().max(64).optional(),
    ts: z.string().max(32).optional(),
    thread_ts: z.string().max(32).optional(),
  })
  .loose();

/** Events API envelopes (https://api.slack.com/apis/events-api). */
export const SlackEnvelope = z.discriminatedUnion('type', [
  z.object({ type: z.literal('url_verification'), challenge: z.string().min(1).max(512) }).loose(),
  z
    .object({
      type: z.literal('event_callback'),
      team_id: z.string().min(1).max(64),
      event_id: z.string().min(1).max(128),
      event: SlackEvent,
    })
    .loose(),
  z.object({ type: z.literal('app_rate_limited') }).loose(),
]);
export type SlackEnvelope = z.infer<typeof SlackEnvelope>;

const WhatsAppMessage = z
  .object({
    from: z.string().regex(/^\d{4,20}$/, 'a phone number in international digits'),
    id: z.string().min(1).max(256),
    timestamp: z.string().max(20).optional(),
    type: z.string().max(32),
    text: z.object({ body: z.string() }).loose().optional(),
  })
  .loose();

/** Cloud API webhook: `entry[].changes[].value.messages[]` (statuses[] are delivery receipts). */
export const WhatsAppPayload = z
  .object({
    object: z.string().max(64),
    entry: z
      .array(
        z
          .object({
            id: z.string().max(64).optional(),
            changes: z
              .array(
                z
                  .object({
                    field: z.string().max(64),
                    value: z
                      .object({
                        metadata: z.object({ phone_number_id: z.string().max(64) }).loose().optional(),
                        messages: z.array(WhatsAppMessage).max(100).optional(),
                        statuses: z.array(z.unknown()).optional(),
                      })
                      .loose(),
                  })
                  .loose(),
              )
              .max(100),
          })
          .loose(),
      )
      .max(100),
  })
  .loose();
export type WhatsAppPayload = z.infer<typeof WhatsAppPayload>;

/** Bot API Update (https://core.telegram.org/bots/api#update); only `message` is read. */
export const TelegramUpdate = z
  .object({
    update_id: z.number().int().nonnegative(),
    message: z
      .object({
        message_id: z.number().int(),
        chat: z.object({ id: z.number().int(), type: z.string().max(32) }).loose(),
        from: z.object({ is_bot: z.boolean(), id: z.number().int().optional() }).loose().optional(),
        /** Unix seconds when the message was sent (always set by Telegram). */
        date: z.number().int().nonnegative().optional(),
        text: z.string().optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type TelegramUpdate = z.infer<typeof TelegramUpdate>;

/** A generic platform's signed message (`POST /v1/channels/webhook/:channel`). */
export const WebhookMessage = z
  .object({
    conversationId: z.string().optional(),
    customerId: z.string().optional(),
    text: z.string(),
    messageId: z.string().min(1).max(256),
    recipient: z.string().optional(),
    locale: z.string().optional(),
  })
  .strict();
export type WebhookMessage = z.infer<typeof WebhookMessage>;
