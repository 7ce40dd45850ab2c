import { createHash } from 'node:crypto';
import type { SlackEnvelope, TelegramUpdate, WhatsAppPayload } from './platform-schemas.ts';

/** A customer message extracted from a platform payload, before the common validation. */
export interface InboundMessage {
  channel: string;
  messageId: string;
  conversationId?: string;
  text: string;
  recipient?: string;
  customerId?: string;
  locale?: string;
  /** When the platform says the customer sent it (Unix seconds), for the age check. */
  sentAtSec?: number;
  /** The sender on the platform, from the signed payload (admission counts messages per user). */
  platformUser?: string;
}

// Platform conversation ids are one per (chat, user): in a group each member has their own
// verified identity and their own pending confirmations, while answers still go to the chat
// (the recipient). The prefixes (`slack.`, `tg.`, `wa.`) are reserved for these adapters.

/**
 * A Slack user's message, or null for everything a bot must not answer: other event types,
 * subtypes (edits, joins, bot_message…) and messages posted by bots (including our own replies).
 */
export function slackMessage(env: SlackEnvelope & { type: 'event_callback' }): InboundMessage | null {
  const e = env.event;
  if (e.type !== 'message' || e.subtype !== undefined || e.bot_id !== undefined || !e.user || !e.channel || !e.text) return null;
  const thread = e.thread_ts ? `.${e.thread_ts}` : '';
  return {
    channel: 'slack',
    messageId: env.event_id,
    // One conversation per member of a channel (or thread); the answer goes back where it was asked.
    conversationId: `slack.${env.team_id}.${e.channel}${thread}.${e.user}`,
    text: e.text,
    recipient: e.thread_ts ? `${e.channel}:${e.thread_ts}` : e.channel,
    platformUser: `${env.team_id}.${e.user}`,
  };
}

/** Text messages of a WhatsApp webhook; status callbacks and media yield nothing. */
export function whatsappMessages(p: WhatsAppPayload): InboundMessage[] {
  const out: InboundMessage[] = [];
  for (const entry of p.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      const phoneId = change.value.metadata?.phone_number_id ?? '';
      for (const m of change.value.messages ?? []) {
        if (m.type !== 'text' || !m.text?.body) continue;
        // The phone number is personal data: ids that end up in traces carry only its hash.
        const user = createHash('sha256').update(`${phoneId}:${m.from}`).digest('hex').slice(0, 32);
        // WhatsApp Cloud API chats are one-to-one: the sender is the chat.
        out.push({
          channel: 'whatsapp',
          messageId: m.id,
          conversationId: `wa.${user}`,
          text: m.text.body,
          recipient: m.from,
          platformUser: user,
          ...(m.timestamp !== undefined && /^\d{1,12}$/.test(m.timestamp) ? { sentAtSec: Number(m.timestamp) } : {}),
        });
      }
    }
  }
  return out;
}

/** A Telegram text message from a person; everything else (edits, joins, bots) yields null. */
export function telegramMessage(u: TelegramUpdate): InboundMessage | null {
  const m = u.message;
  if (!m?.text || m.from?.is_bot) return null;
  // A channel post has no `from`: the chat itself is the sender.
  const user = String(m.from?.id ?? m.chat.id);
  return {
    channel: 'telegram',
    messageId: String(u.update_id),
    conversationId: `tg.${m.chat.id}.${user}`,
    text: m.text,
    recipient: String(m.chat.id),
    ...(m.date === undefined ? {} : { sentAtSec: m.date }),
    platformUser: user,
  };
}
