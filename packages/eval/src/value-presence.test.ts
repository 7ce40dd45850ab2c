import { describe, expect, it } from 'vitest';
import { argumentValues, isPresent, promptText } from './value-presence.ts';

describe('value presence', () => {
  const p = promptText([
    { content: 'My order is #W6067464 and I want a refund to credit_card_4190576.' },
    { content: null, tool_calls: [{ function: { arguments: '{"product_id":"6086499569"}' } }] },
    { content: '{"price": 54.00, "item_id": "9624127908"}' },
  ]);

  it('finds ids in contents and in earlier tool-call arguments, case-insensitively', () => {
    expect(isPresent('#w6067464', p)).toBe(true);
    expect(isPresent('6086499569', p)).toBe(true);
    expect(isPresent('9624127908', p)).toBe(true);
    expect(isPresent('8917609800', p)).toBe(false);
    expect(isPresent('gift_card_0000000', p)).toBe(false);
  });

  it('compares numbers by value', () => {
    expect(isPresent(54, p)).toBe(true);
    expect(isPresent('54.0', p)).toBe(true);
    expect(isPresent(55, p)).toBe(false);
  });

  it("accepts a choice the offered tool's description quotes, not its examples' free text", () => {
    const def = JSON.stringify({ description: "Either 'no longer needed' or 'ordered by mistake'." });
    expect(isPresent('no longer needed', p, def)).toBe(true);
    expect(isPresent('no longer needed', p)).toBe(false);
    expect(isPresent('needed', p, def)).toBe(false);
  });

  it('checks every atomic value except free text, and the numbers of an expression', () => {
    expect(argumentValues({ order_id: '#W1', item_ids: ['1', '2'], address2: '', thought: 'hmm' })).toEqual([
      ['order_id', '#W1'],
      ['item_ids[0]', '1'],
      ['item_ids[1]', '2'],
    ]);
    expect(argumentValues({ expression: '100 - 23.5 * 2' })).toEqual([
      ['expression', 100],
      ['expression', 23.5],
      ['expression', 2],
    ]);
  });
});
