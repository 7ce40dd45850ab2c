import { describe, it, expect } from 'vitest';
import { decideConfirmation } from './confirmation-policy.ts';
import { confirmationKey } from './confirmation-key.ts';

const args = { order_id: '#W1', item_ids: ['i1', 'i2'], payment_method_id: 'pm_1' };
const tool = 'return_delivered_order_items';
const key = confirmationKey(tool, args);

describe('decideConfirmation', () => {
  it('lets tools without the policy through', () => {
    expect(decideConfirmation({ toolName: 'get_order_details', args: {}, requiresConfirmation: false })).toEqual({ allowed: true });
  });

  it('refuses the first call and returns the key to store', () => {
    expect(decideConfirmation({ toolName: tool, args, requiresConfirmation: true })).toEqual({ allowed: false, key, reason: 'not_asked' });
  });

  it('allows the listed action after an explicit yes, in either language', () => {
    for (const reply of ['Yes, go ahead', '确认']) {
      expect(decideConfirmation({ toolName: tool, args: { ...args, item_ids: ['i2', 'i1'] }, requiresConfirmation: true, pendingKey: key, customerReply: reply })).toEqual({
        allowed: true,
        key,
      });
    }
  });

  it('refuses a different action even after a yes', () => {
    const other = { ...args, item_ids: ['i1'] };
    expect(decideConfirmation({ toolName: tool, args: other, requiresConfirmation: true, pendingKey: key, customerReply: 'yes' })).toEqual({
      allowed: false,
      key: confirmationKey(tool, other),
      reason: 'different_action',
    });
  });

  it('refuses without an explicit yes', () => {
    for (const reply of ['no', '不要', 'what will the refund be?', null]) {
      expect(decideConfirmation({ toolName: tool, args, requiresConfirmation: true, pendingKey: key, customerReply: reply })).toMatchObject({
        allowed: false,
        reason: 'not_affirmative',
      });
    }
  });
});
