import { describe, it, expect } from 'vitest';
import { isPiiKey, redactDeep, redactPii } from './redact-pii.ts';

describe('redactPii', () => {
  it.each([
    ['write to john.doe+vip@mail.example.co.uk today', 'write to [email] today'],
    ['card 4242 4242 4242 4242 or 4111-1111-1111-1111', 'card [card] or [card]'],
    ['amex 378282246310005', 'amex [card]'],
    ['phone 4155550134, 电话：13812345678', 'phone [phone], 电话：[phone]'],
    ['Hi Noah, I am Mia Garcia', 'Hi [name], I am [name]'],
    ['我叫王小明，王先生', '我叫[name]，[name]先生'],
    ['ship to 986 Sunset Drive, Suite 259, Denver, CO 80279, USA.', 'ship to [address].'],
    ['手机 13812345678，或 +86 138 1234 5678', '手机 [phone]，或 [phone]'],
    ['call +1 (415) 555-0134 or 415-555-0134', 'call [phone] or [phone]'],
    ['uk +44 20 7946 0958', 'uk [phone]'],
    ['{"last_four": "4242"}', '{"last_four":"[REDACTED]"}'],
    ['"last_four": "4242", "brand"', '"last_four": "[last4]", "brand"'],
    ['card ending in 9999', 'card ending in [last4]'],
    ['ship to 123 Main Street, Apt 4, Austin, TX 78701', 'ship to [address]'],
    ['{"address1": "445 Maple Drive", "zip": "76165"', '{"address1": "[REDACTED]", "zip": "[REDACTED]"'],
    ['{"first_name": "Mia", "last_name": "Garcia", "zip": "80279"}', '{"first_name":"[REDACTED]","last_name":"[REDACTED]","zip":"[REDACTED]"}'],
    ['I live at 386 Broadway, New York, NY 10001', 'I live at [address]'],
    // Without word boundaries in Chinese the text before the road goes too: over-redaction is the safe side.
    ['上海市浦东新区世纪大道100号', '[address]'],
  ])('%s', (input, expected) => {
    expect(redactPii(input)).toBe(expected);
  });

  it('keeps what support needs: order ids, item ids, prices, dates, short numbers', () => {
    const s = 'order #W2378156 item 8310926033 costs $123.45 on 2024-05-12, qty 12, query q_0193abcdef12, +12.50 difference, a product called Water Bottle';
    expect(redactPii(s)).toBe(s);
  });

  it('keeps tracking numbers, payment-method ids and Luhn-failing digit runs', () => {
    const s = 'tracking 357962501027 and 1Z999AA10123456784, paid by credit_card_7815826 / gift_card_1725971, ref 4242424242424243';
    expect(redactPii(s)).toBe(s);
    // A Luhn-valid number that is labelled as a tracking number is an id, not a card.
    expect(redactPii('tracking number 4111111111111111')).toBe('tracking number 4111111111111111');
  });

  it('redacts a JSON tool result as structure: the whole address, names and email, not the ids', () => {
    const result = JSON.stringify({
      order_id: '#W2611340',
      user_id: 'james_li_5688',
      name: { first_name: 'James', last_name: 'Li' },
      email: 'james.li@example.com',
      address: { address1: '215 River Road', address2: 'Suite 991', city: 'New York', country: 'USA', state: 'NY', zip: '10083' },
      items: [{ name: 'Water Bottle', product_id: '8310926033', item_id: '6469567736', price: 47.84 }],
      fulfillments: [{ tracking_id: ['357962501027'], item_ids: ['6469567736'] }],
      payment_history: [{ amount: 47.84, payment_method_id: 'credit_card_7815826' }],
    });
    const out = redactPii(result);
    for (const pii of ['James', 'Li"', 'james.li@', 'River Road', 'Suite 991', 'New York', '10083']) expect(out).not.toContain(pii);
    for (const id of ['#W2611340', '8310926033', '6469567736', '357962501027', 'credit_card_7815826', 'Water Bottle', '47.84']) {
      expect(out).toContain(id);
    }
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
    for (const k of ['queryId', 'city', 'state', 'order_id', 'name', 'item_id', 'tracking_id', 'payment_method_id']) expect(isPiiKey(k)).toBe(false);
  });

  it('redacts city and state only inside an address-shaped object', () => {
    expect(redactDeep({ city: 'Austin', state: 'TX', zip: '78701' })).toEqual({ city: '[REDACTED]', state: '[REDACTED]', zip: '[REDACTED]' });
    expect(redactDeep({ state: 'running', queryId: 'q1' })).toEqual({ state: 'running', queryId: 'q1' });
  });
});
