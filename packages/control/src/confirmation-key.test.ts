import { describe, it, expect } from 'vitest';
import { confirmationArgs, confirmationKey } from './confirmation-key.ts';

const ret = (item_ids: string[], extra: Record<string, unknown> = {}) =>
  confirmationKey('return_delivered_order_items', { order_id: '#W1', item_ids, payment_method_id: 'pm_1', ...extra });

describe('confirmationKey', () => {
  it('is the same for the same action whatever the key or item order', () => {
    const a = confirmationKey('return_delivered_order_items', { order_id: '#W1', item_ids: ['i2', 'i1'], payment_method_id: 'pm_1' });
    const b = confirmationKey('return_delivered_order_items', { payment_method_id: 'pm_1', item_ids: ['i1', 'i2'], order_id: ' #W1 ' });
    expect(a).toBe(b);
    expect(a.startsWith('return_delivered_order_items:')).toBe(true);
  });

  it('changes with the order, the payment method, the tool, or the item list', () => {
    const base = ret(['i1', 'i2']);
    expect(ret(['i1', 'i2'], { order_id: '#W2' })).not.toBe(base);
    expect(ret(['i1', 'i2'], { payment_method_id: 'pm_2' })).not.toBe(base);
    expect(confirmationKey('cancel_pending_order', { order_id: '#W1', item_ids: ['i1', 'i2'], payment_method_id: 'pm_1' })).not.toBe(base);
    expect(ret(['i1'])).not.toBe(base);
    expect(ret(['i1', 'i2', 'i3'])).not.toBe(base);
  });

  it('compares id lists as multisets: a duplicate is a different list', () => {
    expect(ret(['i1', 'i1', 'i2'])).toBe(ret(['i1', 'i2', 'i1']));
    expect(ret(['i1', 'i1', 'i2'])).not.toBe(ret(['i1', 'i2', 'i2']));
  });

  it('keeps paired id lists paired (exchange old → new item)', () => {
    const ex = (item_ids: string[], new_item_ids: string[]) =>
      confirmationKey('exchange_delivered_order_items', { order_id: '#W1', item_ids, new_item_ids, payment_method_id: 'pm_1' });
    expect(ex(['a', 'b'], ['x', 'y'])).toBe(ex(['b', 'a'], ['y', 'x']));
    expect(ex(['a', 'b'], ['x', 'y'])).not.toBe(ex(['a', 'b'], ['y', 'x']));
    expect(confirmationArgs({ item_ids: ['b', 'a'], new_item_ids: ['y', 'x'] })).toEqual({ item_ids: ['a', 'b'], new_item_ids: ['x', 'y'] });
  });

  it('does not reorder lists that are not id lists', () => {
    const a = confirmationKey('modify_address', { lines: ['1 Main St', 'Apt 2'] });
    expect(a).not.toBe(confirmationKey('modify_address', { lines: ['Apt 2', '1 Main St'] }));
  });
});
