import { describe, expect, it } from 'vitest';
import { SlackEnvelope, TelegramUpdate, WhatsAppPayload } from './platform-schemas.ts';
import { slackMessage, telegramMessage, whatsappMessages } from './to-messages.ts';

const slack = (event: Record<string, unknown>) => {
  const e = SlackEnvelope.parse({ type: 'event_callback', team_id: 'T0001', event_id: 'Ev01', event });
  if (e.type !== 'event_callback') throw new Error('not an event callback');
  return slackMessage(e);
};

describe('platform payloads to customer messages', () => {
  it('takes a Slack user message, one conversation per member, and answers in its thread', () => {
    expect(slack({ type: 'message', user: 'U1', text: 'hi', channel: 'C1', ts: '1.2' })).toEqual({
      channel: 'slack',
      messageId: 'Ev01',
      conversationId: 'slack.T0001.C1.U1',
      text: 'hi',
      recipient: 'C1',
      platformUser: 'T0001.U1',
    });
    expect(slack({ type: 'message', user: 'U1', text: 'hi', channel: 'C1', ts: '1.3', thread_ts: '1.2' })).toMatchObject({
      conversationId: 'slack.T0001.C1.1.2.U1',
      recipient: 'C1:1.2',
    });
    // Another member of the same channel: another conversation, same place for the answer.
    expect(slack({ type: 'message', user: 'U2', text: 'hi', channel: 'C1', ts: '1.4' })).toMatchObject({
      conversationId: 'slack.T0001.C1.U2',
      recipient: 'C1',
    });
  });

  it('ignores bot messages, subtypes and other events (no reply loops)', () => {
    expect(slack({ type: 'message', bot_id: 'B1', text: 'our own answer', channel: 'C1' })).toBeNull();
    expect(slack({ type: 'message', subtype: 'message_changed', user: 'U1', text: 'x', channel: 'C1' })).toBeNull();
    expect(slack({ type: 'reaction_added', user: 'U1' })).toBeNull();
  });

  it('takes WhatsApp text messages, hashes the phone number out of the conversation id, skips statuses', () => {
    const p = WhatsAppPayload.parse({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000000', phone_number_id: 'PN1' },
                messages: [
                  { from: '8613800000000', id: 'wamid.1', timestamp: '1700000000', type: 'text', text: { body: '我的订单在哪？' } },
                  { from: '8613800000000', id: 'wamid.2', timestamp: '1700000001', type: 'image', image: { id: 'x' } },
                ],
              },
            },
            { field: 'messages', value: { statuses: [{ id: 'wamid.0', status: 'delivered' }] } },
          ],
        },
      ],
    });
    const out = whatsappMessages(p);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ channel: 'whatsapp', messageId: 'wamid.1', recipient: '8613800000000', text: '我的订单在哪？' });
    expect(out[0]!.conversationId).toMatch(/^wa\.[0-9a-f]{32}$/);
    expect(out[0]!.conversationId).not.toContain('8613800000000');
  });

  it('takes a Telegram text message and ignores bots and non-text updates', () => {
    const u = TelegramUpdate.parse({ update_id: 10, message: { message_id: 1, chat: { id: -1001, type: 'group' }, from: { id: 5, is_bot: false }, text: 'hello' } });
    expect(telegramMessage(u)).toEqual({
      channel: 'telegram',
      messageId: '10',
      conversationId: 'tg.-1001.5',
      text: 'hello',
      recipient: '-1001',
      platformUser: '5',
    });
    expect(telegramMessage(TelegramUpdate.parse({ update_id: 11, message: { message_id: 2, chat: { id: 1, type: 'private' }, from: { id: 6, is_bot: true }, text: 'x' } }))).toBeNull();
    expect(telegramMessage(TelegramUpdate.parse({ update_id: 12, edited_message: {} }))).toBeNull();
  });
});
