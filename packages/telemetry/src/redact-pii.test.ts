import { describe, it, expect } from 'vitest';
import { isPiiKey, redactDeep, redactPii } from './redact-pii.ts';

describe('redactPii', () => {
  it.each([
    ['write to john.doe+vip@mail.example.co.uk today', 'write to [email] today'],
    ['card 4242 4242 4242 4242 or 4111-1111-1111-1111', 'card [number] or [number]'],
    ['amex 378282246310005', 'amex [number]'],
    ['手机 13812345678，或 +86 138 1234 5678', '手机 [phone]，或 [phone]'],
    ['call +1 (415) 555-0134 or 415-555-0134', 'call [phone] or [phone]'],
    ['uk +44 20 7946 0958', 'uk [phone]'],
    ['{"last_four": "4242"}', '{"last_four": "[last4]"}'],
    ['card ending in 9999', 'card ending in [last4]'],
    ['ship to 123 Main Street, Apt 4, Austin, TX 78701', 'ship to [address], Austin, TX [zip]'],
    ['{"address1": "445 Maple Drive", "zip": "76165"}', '{"address1": "[address]", "zip": "[zip]"}'],
    ['{"address1": "386 Broadway", "address2": "Suite 259"}', '{"address1": "[address]", "address2": "[address]"}'],
    ['I live at 386 Broadway, New York, NY 10001', 'I live at [address], New York, NY [zip]'],
    // Without word boundaries in Chinese the text before the road goes too: over-redaction is the safe side.
    ['上海市浦东新区世纪大道100号', '[address]'],
  ])('%s', (input, expected) => {
    expect(redactPii(input)).toBe(expected);
  });

  it('keeps what support needs: order ids, item ids, prices, dates, short numbers', () => {
    const s = 'order #W2378156 item 8310926033 costs $123.45 on 2024-05-12, qty 12, query q_0193abcdef12';
    expect(redactPii(s)).toBe(s);
  });

  it('leaves a Redis stream entry id alone when it is the whole value', () => {
    expect(redactPii('1732412345678-0')).toBe('1732412345678-0');
  });

  it('is idempotent', () => {
    const once = redactPii('mail a@b.io, card 4111111111111111, 9 Elm Street');
    expect(redactPii(once)).toBe(once);
  });
});

describe('redactDeep', () => {
  it('replaces PII keys whatever their value and redacts every nested string', () => {
    const out = redactDeep({
      user: { email: 'x@y.com', phone_number: 12345, address: { city: 'Austin' }, note: 'mail me at x@y.com' },
      payment: [{ last_four: '4242', card: 'visa' }],
      zip: null,
    });
    expect(out).toEqual({
      user: { email: '[REDACTED]', phone_number: '[REDACTED]', address: '[REDACTED]', note: 'mail me at [email]' },
      payment: [{ last_four: '[REDACTED]', card: '[REDACTED]' }],
      zip: null,
    });
  });

  it('turns errors into redacted plain objects and survives cycles', () => {
    const o: Record<string, unknown> = { err: new Error('no user a@b.com') };
    o.self = o;
    const out = redactDeep(o) as { err: unknown; self: unknown };
    expect(out.err).toMatchObject({ type: 'Error', message: 'no user [email]' });
    expect(out.self).toBe('[…]');
  });

  it('knows the PII key names in any case and separator style', () => {
    for (const k of ['email', 'customerEmail', 'Phone', 'address1', 'ADDRESS2', 'zip', 'last_four', 'card-number']) {
      expect(isPiiKey(k)).toBe(true);
    }
    for (const k of ['queryId', 'city', 'order_id', 'name']) expect(isPiiKey(k)).toBe(false);
  });
});
