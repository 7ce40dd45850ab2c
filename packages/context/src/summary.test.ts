import { describe, it, expect } from 'vitest';
import type { ChatMessage } from '@steward/core';
import { updateSummary } from './summary.ts';
import { countTokens } from './count-tokens.ts';

const model = 'gpt-4o';
const turn = (i: number): ChatMessage[] => [
  { role: 'user', content: `Where is my order #W${2000000 + i}? I am user alex_moore_${1000 + i}.` },
  {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: `c${i}`, type: 'function', function: { name: 'get_order_details', arguments: JSON.stringify({ order_id: `#W${2000000 + i}` }) } }],
  },
  { role: 'tool', tool_call_id: `c${i}`, content: JSON.stringify({ order_id: `#W${2000000 + i}`, status: 'delivered', items: [{ item_id: `${9000000000 + i}` }] }) },
  { role: 'assistant', content: `Your order #W${2000000 + i} was delivered yesterday. Anything else?` },
];

describe('updateSummary', () => {
  it('keeps intents, ids, tool outcomes and answers', () => {
    const s = updateSummary('', turn(1), { model });
    expect(s).toContain('Customer asked:\n- Where is my order #W2000001?');
    expect(s).toContain('get_order_details(order_id=#W2000001) → status=delivered, order_id=#W2000001');
    expect(s).toContain('Agent said:\n- Your order #W2000001 was delivered yesterday.');
    const ids = s.split('\n').find((l) => l.startsWith('Known ids: '))!;
    for (const id of ['order_id=#W2000001', 'user_id=alex_moore_1001', 'item_id=9000000001']) expect(ids).toContain(id);
  });

  it('is incremental: new notes extend the previous summary', () => {
    const s1 = updateSummary('', turn(1), { model });
    const s2 = updateSummary(s1, turn(2), { model });
    expect(s2).toContain('#W2000001');
    expect(s2).toContain('#W2000002');
    // The same as summarising both turns at once, since nothing had to be dropped.
    expect(s2).toBe(updateSummary('', [...turn(1), ...turn(2)], { model }));
    // Deterministic.
    expect(updateSummary(s1, turn(2), { model })).toBe(s2);
  });

  it('stays within its token bound, dropping the oldest notes first', () => {
    let s = '';
    for (let i = 0; i < 60; i++) {
      s = updateSummary(s, turn(i), { model, maxTokens: 300 });
      expect(countTokens(s, model)).toBeLessThanOrEqual(300);
    }
    expect(s).toContain('#W2000059');
    expect(s).not.toContain('Where is my order #W2000000?');
  });

  it('bounds Chinese notes too', () => {
    let s = '';
    for (let i = 0; i < 30; i++) {
      s = updateSummary(s, [{ role: 'user', content: `我想退掉订单 #W${3000000 + i} 里的蓝色鞋子，因为尺码太小了，请帮我办理退款。`.repeat(3) }], { model, maxTokens: 200 });
      expect(countTokens(s, model)).toBeLessThanOrEqual(200);
    }
    expect(s).toContain('#W3000029');
  });
});
