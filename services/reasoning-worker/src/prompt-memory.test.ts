import { describe, expect, it } from 'vitest';
import { emptyMemory, parseMemory, recordToolCalls } from '@steward/context';
import { promptMemory, readMemory } from './prompt-memory.ts';

// The memory a turn works on comes from a cache of parsed texts: it must be exactly what
// parseMemory makes of the stored text, including for the text this worker itself just wrote.
const order = (id: string) =>
  JSON.stringify({
    order_id: id,
    user_id: 'mia_garcia_1',
    status: 'pending',
    address: { address1: '1 Main St', city: 'Austin', country: 'USA', state: 'TX', zip: '78701' },
    items: [{ name: 'Lamp', product_id: '111', item_id: '222', price: 10.5, options: { color: 'red' } }],
    payment_history: [{ transaction_type: 'payment', amount: 10.5, payment_method_id: 'credit_card_1' }],
  });

function stored(): string {
  const m = recordToolCalls(emptyMemory(), [{ callId: 'call_0', name: 'get_order_details', arguments: { order_id: '#W1000001' }, result: order('#W1000001') }]);
  return JSON.stringify(m);
}

describe('promptMemory', () => {
  it('gives what parseMemory gives, parsed once per text', () => {
    const text = stored();
    const first = readMemory(text);
    expect(first).toStrictEqual(parseMemory(text));
    // A copy of the same text (as a new read from Redis is) finds the same parsed memory.
    expect(readMemory(`${text} `.trimEnd())).toBe(first);
  });

  it('remembers the memory it wrote exactly as a parse of the written JSON would give it', () => {
    const r = promptMemory(stored(), 'q-cache-1', 'Please cancel order #W1000001, I no longer need it.');
    const written = r.changed ?? '';
    expect(written).not.toBe('');
    const reread = readMemory(written);
    expect(reread).toBe(r.memory);
    const fresh = parseMemory(written);
    expect(reread).toStrictEqual(fresh);
    // Written again (the request is already there on a later turn), it is the same text.
    expect(JSON.stringify(reread)).toBe(JSON.stringify(fresh));
    expect(promptMemory(written, 'q-cache-1', 'Please cancel order #W1000001, I no longer need it.')).toEqual({ memory: r.memory });
  });

  it('leaves a shared memory unchanged when a request is recorded on it', () => {
    const text = stored();
    const before = JSON.stringify(readMemory(text));
    promptMemory(text, 'q-cache-2', 'Where is order #W1000001?');
    expect(JSON.stringify(readMemory(text))).toBe(before);
  });

  it('an absent or unreadable memory is an empty one', () => {
    expect(promptMemory('', 'q-cache-3', 'yes')).toEqual({ memory: emptyMemory() });
    expect(readMemory('{"v":2}')).toStrictEqual(emptyMemory());
    expect(readMemory('not json')).toStrictEqual(emptyMemory());
  });
});
