import { describe, it, expect } from 'vitest';
import { parseJsonReply } from './json-format.ts';

describe('parseJsonReply', () => {
  it('an answer, with its thought', () => {
    expect(parseJsonReply('{"thought": "known", "answer": "It shipped."}')).toEqual({ kind: 'answer', answer: 'It shipped.', thought: 'known' });
  });

  it('tool calls get ids from the prefix, in order; fences and trailing commas are forgiven', () => {
    const p = parseJsonReply('```json\n{"tool_calls": [{"name": "get_order_details", "arguments": {"order_id": "#W1"}}, {"name": "list_all_product_types"},]}\n```', { idPrefix: 't2' });
    expect(p).toEqual({
      kind: 'tool_calls',
      calls: [
        { id: 't2_0', name: 'get_order_details', arguments: { order_id: '#W1' } },
        { id: 't2_1', name: 'list_all_product_types', arguments: {} },
      ],
    });
  });

  it('what does not fit the schema is malformed, with an error the model can act on', () => {
    const both = parseJsonReply('{"answer": "hi", "tool_calls": [{"name": "a"}]}');
    expect(both.kind === 'malformed' && both.error).toContain('both');
    const neither = parseJsonReply('{"thought": "hmm"}');
    expect(neither.kind === 'malformed' && neither.error).toContain('either "tool_calls"');
    const prose = parseJsonReply('Sure! Your order shipped.');
    expect(prose.kind === 'malformed' && prose.error).toContain('not a JSON object');
    expect(parseJsonReply('').kind).toBe('malformed');
  });
});
