import { describe, expect, it } from 'vitest';
import { recordRequest, recordToolCalls } from './record.ts';
import { renderRequests } from './render.ts';
import { emptyMemory, parseMemory, WorkingMemory } from './working-memory.ts';

const delivered = (id: string, status = 'delivered') => JSON.stringify({ order_id: id, status, items: [{ item_id: '1', product_id: '2', name: 'Mug', price: 3, options: {} }], payment_history: [] });

describe('open requests', () => {
  it('records substantive customer messages, not confirmations', () => {
    let m = recordRequest(emptyMemory(), 'q1', 'I want to return the mug from order #W1234567 and exchange a lamp');
    m = recordRequest(m, 'q2', 'yes');
    m = recordRequest(m, 'q3', '好的');
    m = recordRequest(m, 'q4', 'Yes, go ahead. Thanks!');
    m = recordRequest(m, 'q5', 'no, cancel #W1234567 instead');
    m = recordRequest(m, 'q1', 'repeat of the same query');
    expect(m.requests.map((r) => r.id)).toEqual(['q1', 'q5']);
    expect(renderRequests(m)).toContain('- I want to return the mug from order #W1234567 and exchange a lamp');
  });

  it('a request stays open until every order it names was written to', () => {
    let m = recordRequest(emptyMemory(), 'q1', 'Cancel #W1111111 and #W2222222 please');
    m = recordToolCalls(m, [{ callId: 'a', name: 'cancel_pending_order', arguments: { order_id: '#W1111111', reason: 'no longer needed' }, result: delivered('#W1111111', 'cancelled') }]);
    expect(renderRequests(m)).toContain('Cancel #W1111111 and #W2222222');
    m = recordToolCalls(m, [{ callId: 'b', name: 'cancel_pending_order', arguments: { order_id: '#W2222222', reason: 'no longer needed' }, result: 'Error: non-pending order cannot be cancelled' }]);
    expect(renderRequests(m)).toContain('Cancel #W1111111');
    m = recordToolCalls(m, [{ callId: 'c', name: 'cancel_pending_order', arguments: { order_id: '#W2222222', reason: 'no longer needed' }, result: delivered('#W2222222', 'cancelled') }]);
    expect(renderRequests(m)).toBe('');
  });

  it('a question that asked for no change leaves the open requests when the next query starts; a change request stays', () => {
    let m = recordRequest(emptyMemory(), 'q1', 'What is the status of #W1234567?');
    expect(renderRequests(m)).toContain('What is the status of #W1234567?');
    m = recordRequest(m, 'q2', 'I want to return the mug from #W1234567');
    expect(renderRequests(m)).not.toContain('What is the status');
    m = recordRequest(m, 'q3', 'Also, how much is a lamp?');
    expect(renderRequests(m)).toContain('I want to return the mug from #W1234567');
  });

  it('keeps a long opening request whole, so every order it names counts for its resolution', () => {
    const text = `${'I am organised and polite. '.repeat(30)}Cancel #W1111111, and then exchange the lamp of #W2222222.`;
    let m = recordRequest(emptyMemory(), 'q1', text);
    m = recordToolCalls(m, [{ callId: 'a', name: 'cancel_pending_order', arguments: { order_id: '#W1111111', reason: 'no longer needed' }, result: delivered('#W1111111', 'cancelled') }]);
    expect(m.requests[0]!.resolved).toBe(false);
  });

  it('a request naming no order is resolved by a successful write of its kind only', () => {
    let m = recordRequest(emptyMemory(), 'q1', 'I would like to exchange my keyboard for a quieter one');
    m = recordToolCalls(m, [{ callId: 'a', name: 'return_delivered_order_items', arguments: { order_id: '#W1', item_ids: ['1'], payment_method_id: 'x' }, result: delivered('#W1', 'return requested') }]);
    expect(renderRequests(m)).not.toBe('');
    m = recordToolCalls(m, [{ callId: 'b', name: 'exchange_delivered_order_items', arguments: { order_id: '#W2', item_ids: ['1'], new_item_ids: ['5'], payment_method_id: 'x' }, result: delivered('#W2', 'exchange requested') }]);
    expect(renderRequests(m)).toBe('');
  });
});

describe('recordRequest copies only what it changes', () => {
  const deepFreeze = <T>(v: T): T => {
    if (v !== null && typeof v === 'object') {
      for (const x of Object.values(v)) deepFreeze(x);
      Object.freeze(v);
    }
    return v;
  };

  it('never writes into the memory it was given (a frozen one throws on any write), and returns what a deep copy would', () => {
    let m = recordRequest(emptyMemory(), 'q1', 'What is the status of #W1111111?');
    m = recordToolCalls(m, [
      { callId: 'a', name: 'get_order_details', arguments: { order_id: '#W1111111' }, result: delivered('#W1111111') },
      { callId: 'b', name: 'get_product_details', arguments: { product_id: '2' }, result: JSON.stringify({ product_id: '2', name: 'Mug', variants: { '1': { item_id: '1', options: { color: 'red' }, available: true, price: 3 } } }) },
      { callId: 'c', name: 'cancel_pending_order', arguments: { order_id: '#W1111111', reason: 'no longer needed' }, result: 'Confirmation required: cancel?' },
    ]);
    expect(m.products).toHaveLength(1);
    expect(m.pending).toHaveLength(1);
    const before = JSON.stringify(m);
    const frozen = deepFreeze(parseMemory(before));
    // Names the order and the product's variant: both entries' refs move, the old request is resolved.
    const next = recordRequest(frozen, 'q2', 'I want to return item 1 of #W1111111 instead');
    expect(JSON.stringify(frozen)).toBe(before);
    expect(next.orders[0]!.ref).toBe(next.seq);
    expect(next.requests.map((r) => [r.id, r.resolved])).toEqual([
      ['q1', true],
      ['q2', false],
    ]);
    // The same JSON as recording into a deep copy of the memory.
    expect(JSON.stringify(next)).toBe(JSON.stringify(recordRequest(structuredClone(parseMemory(before)), 'q2', 'I want to return item 1 of #W1111111 instead')));
  });
});

describe('stored form', () => {
  it('round-trips through JSON and falls back to empty on anything else', () => {
    const m = recordToolCalls(emptyMemory(), [{ callId: 'a', name: 'get_order_details', arguments: { order_id: '#W1' }, result: delivered('#W1') }]);
    expect(parseMemory(JSON.stringify(m))).toEqual(WorkingMemory.parse(m));
    expect(parseMemory('{"v":0}')).toEqual(emptyMemory());
    expect(parseMemory('not json')).toEqual(emptyMemory());
    expect(parseMemory(null)).toEqual(emptyMemory());
  });

  it('an unexpected result shape is skipped, the rest of the turn is kept', () => {
    const m = recordToolCalls(emptyMemory(), [
      { callId: 'a', name: 'get_order_details', arguments: { order_id: '#W1' }, result: '{"order_id": 5, "items": "x"}' },
      { callId: 'b', name: 'get_order_details', arguments: { order_id: '#W2' }, result: delivered('#W2') },
    ]);
    expect(m.orders.map((o) => o.order_id)).toContain('#W2');
  });
});
