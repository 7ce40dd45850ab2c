import { describe, expect, it } from 'vitest';
import { canRead, checkMessage, platformOwnerOf, principals } from './ownership.ts';

const api = { viaApi: true };

describe('ownership rules', () => {
  it('lets the web chat do nothing but chat as a new, unverified customer', () => {
    const web = principals.web();
    expect(checkMessage(web, { channel: 'web' }, api)).toEqual({ ok: true });
    expect(checkMessage(web, { channel: 'web', customerId: 'james_li_5688' }, api)).toMatchObject({
      status: 403,
      code: 'customer_forbidden',
    });
    expect(checkMessage(web, { channel: 'api' }, api)).toMatchObject({
      status: 403,
      code: 'channel_forbidden',
    });
    expect(checkMessage(web, { channel: 'telegram' }, api)).toMatchObject({
      status: 403,
      code: 'channel_forbidden',
    });
    expect(checkMessage(web, { channel: 'web', conversationId: 'tg.5252.7' }, api)).toMatchObject({
      status: 403,
      code: 'conversation_forbidden',
    });
  });

  it('never takes a recipient from an API caller, even one bound to the platform', () => {
    const tg = principals.channel('telegram');
    expect(checkMessage(tg, { channel: 'telegram', recipient: '5252' }, api)).toMatchObject({
      status: 400,
      code: 'recipient_forbidden',
    });
    expect(
      checkMessage(
        principals.channel('telegram', 'platform'),
        { channel: 'telegram', recipient: '5252' },
        { viaApi: false },
      ),
    ).toEqual({ ok: true });
  });

  it('reserves platform conversation ids for their adapter and refuses key separators', () => {
    expect(platformOwnerOf('slack.T1.C1.U1')).toBe('slack');
    expect(platformOwnerOf('wa.abc')).toBe('whatsapp');
    expect(platformOwnerOf('c_123')).toBeNull();
    expect(
      checkMessage(principals.api(), { channel: 'api', conversationId: 'slack.T1.C1.U1' }, api),
    ).toMatchObject({ code: 'conversation_forbidden' });
    expect(
      checkMessage(principals.api(), { channel: 'api', conversationId: 'tg:5252:msgs' }, api),
    ).toMatchObject({ status: 400, code: 'invalid_conversation_id' });
    expect(checkMessage(principals.api(), { channel: 'api', customerId: 'a:b' }, api)).toMatchObject({
      status: 400,
      code: 'invalid_customer_id',
    });
  });

  it('keeps operators out of posting and lets them read everything', () => {
    const op = principals.operator();
    expect(checkMessage(op, { channel: 'api' }, api)).toMatchObject({
      status: 403,
      code: 'operator_cannot_post',
    });
    expect(canRead(op, { principal: 'web' })).toBe(true);
    expect(canRead(op, {})).toBe(true);
  });

  it('lets a principal read only its own queries (records without an owner: operators only)', () => {
    expect(canRead(principals.api(), { principal: 'api' })).toBe(true);
    expect(canRead(principals.web(), { principal: 'api' })).toBe(false);
    expect(canRead(principals.api(), {})).toBe(false);
  });
});
