import { describe, expect, it } from 'vitest';
import { orderIdsIn, textPolicy } from './text-policy.ts';

describe('text policy', () => {
  it('redacts contact data in free text and arguments by default, keeping order ids', () => {
    const p = textPolicy('redact');
    expect(p.text('mail a.b@example.com about #W1234567')).toBe('mail [email] about #W1234567');
    expect(p.json({ email: 'a.b@example.com', order_id: '#W1234567' })).toEqual({ email: '[REDACTED]', order_id: '#W1234567' });
    expect(p.text(undefined)).toBeNull();
  });

  it('keeps text as said when the deployment asks for it', () => {
    const p = textPolicy('keep');
    expect(p.text('mail a.b@example.com')).toBe('mail a.b@example.com');
    expect(p.json({ email: 'a.b@example.com' })).toEqual({ email: 'a.b@example.com' });
  });

  it('finds order ids in text, nested arguments and results, once each', () => {
    expect(orderIdsIn('order #W2611340 and #W2611340', { order_id: '#W3632959', items: [{ note: 'from #W4435622' }] }, undefined, 42).sort()).toEqual([
      '#W2611340',
      '#W3632959',
      '#W4435622',
    ]);
    expect(orderIdsIn('no order here, W123 or #X1234567')).toEqual([]);
  });
});
