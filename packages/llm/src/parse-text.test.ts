import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { parseTextReply } from './parse-text.ts';
import { parseAssistantMessage, parseModelOutput } from './parse-native.ts';
import { renderToolsAsText, TEXT_FORMAT_INSTRUCTIONS } from './text-format.ts';

describe('parseTextReply', () => {
  it('reads Thought + Action with inline JSON', () => {
    const p = parseTextReply('Thought: I need the order.\nAction: get_order_details | {"order_id": "#W2378156"}', { idPrefix: 't1' });
    expect(p).toEqual({
      kind: 'tool_calls',
      thought: 'I need the order.',
      calls: [{ id: 't1_0', name: 'get_order_details', arguments: { order_id: '#W2378156' } }],
    });
  });

  it('reads Action + Action Input on separate lines, with multi-line JSON and code fences', () => {
    const p = parseTextReply('Thought: look up\nAction: find_user_id_by_email\nAction Input: ```json\n{\n  "email": "a@b.co",\n}\n```');
    expect(p).toMatchObject({ kind: 'tool_calls', calls: [{ name: 'find_user_id_by_email', arguments: { email: 'a@b.co' } }] });
  });

  it('reads several actions and an action without arguments', () => {
    const p = parseTextReply('Action: get_order_details | {"order_id":"#W1"}\nAction: get_order_details | {"order_id":"#W2"}\nAction: list_categories');
    expect(p.kind).toBe('tool_calls');
    if (p.kind !== 'tool_calls') return;
    expect(p.calls.map((c) => [c.id, c.name, c.arguments])).toEqual([
      ['txt_0', 'get_order_details', { order_id: '#W1' }],
      ['txt_1', 'get_order_details', { order_id: '#W2' }],
      ['txt_2', 'list_categories', {}],
    ]);
  });

  it('reads a Final Answer, multi-line, in Chinese, with markdown bold markers', () => {
    expect(parseTextReply('Thought: done\nFinal Answer: Your order has shipped.\nTracking: 123')).toEqual({
      kind: 'answer',
      thought: 'done',
      answer: 'Your order has shipped.\nTracking: 123',
    });
    expect(parseTextReply('**Thought:** 已查到\n**Final Answer:** 您的订单已发货。')).toEqual({ kind: 'answer', thought: '已查到', answer: '您的订单已发货。' });
  });

  it('ignores an Observation the model invented, and what follows it', () => {
    const p = parseTextReply('Action: get_order_details | {"order_id":"#W1"}\nObservation: {"status":"delivered"}\nFinal Answer: delivered!');
    expect(p).toMatchObject({ kind: 'tool_calls', calls: [{ name: 'get_order_details' }] });
  });

  it('takes plain text without markers as the answer unless strict', () => {
    expect(parseTextReply('Hello! How can I help?')).toEqual({ kind: 'answer', answer: 'Hello! How can I help?' });
    expect(parseTextReply('Hello!', { lenient: false }).kind).toBe('malformed');
  });

  it('returns malformed with a fix-it message for broken output, never throws', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['Thought: hmm, let me think', /no Action and no Final Answer/],
      ['Action: get_order_details | {"order_id": "#W1"', /not a valid JSON object.*not closed/],
      ['Action: get_order_details | {"order_id": #W1}', /not a valid JSON object/],
      ['Action: get_order_details | ["#W1"]', /not a valid JSON object/],
      ['Action: | {"a":1}', /does not start with a tool name/],
      ['Action Input: {"a":1}', /no Action line/],
      ['Action: x | {}\nFinal Answer: done', /both an Action and a Final Answer/],
      ['Final Answer:   ', /Final Answer was empty/],
    ];
    for (const [text, re] of cases) {
      const p = parseTextReply(text);
      expect(p.kind, text).toBe('malformed');
      if (p.kind !== 'malformed') continue;
      expect(p.error, text).toMatch(re);
      // Every error reminds the model of the exact format.
      expect(p.error, text).toContain('Final Answer: <your reply to the customer>');
    }
    const many = Array.from({ length: 9 }, (_, i) => `Action: f | {"i":${i}}`).join('\n');
    expect(parseTextReply(many)).toMatchObject({ kind: 'malformed', error: expect.stringMatching(/at most 8/) });
  });
});

describe('parseAssistantMessage', () => {
  it('turns native tool calls into a proposal, keeping bad arguments as a per-call error', () => {
    const p = parseAssistantMessage({
      role: 'assistant',
      content: 'Checking both orders.',
      tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'get_order_details', arguments: '{"order_id":"#W1"}' } },
        { id: 'call_b', type: 'function', function: { name: 'get_order_details', arguments: '{"order_id":' } },
        { id: 'call_c', type: 'function', function: { name: 'list_categories', arguments: '' } },
      ],
    });
    expect(p).toEqual({
      kind: 'tool_calls',
      thought: 'Checking both orders.',
      calls: [
        { id: 'call_a', name: 'get_order_details', arguments: { order_id: '#W1' } },
        { id: 'call_b', name: 'get_order_details', arguments: {}, error: expect.stringContaining('not a valid JSON object') },
        { id: 'call_c', name: 'list_categories', arguments: {} },
      ],
    });
  });

  it('answers with plain content, parses text-format content, and flags an empty reply', () => {
    expect(parseAssistantMessage({ role: 'assistant', content: 'It shipped.' })).toEqual({ kind: 'answer', answer: 'It shipped.' });
    expect(parseAssistantMessage({ role: 'assistant', content: 'Thought: x\nAction: get_user_details | {"user_id":"u_1"}' })).toMatchObject({
      kind: 'tool_calls',
      calls: [{ name: 'get_user_details', arguments: { user_id: 'u_1' } }],
    });
    expect(parseAssistantMessage({ role: 'assistant', content: null }).kind).toBe('malformed');
    expect(parseAssistantMessage({ role: 'assistant', content: '   ' }).kind).toBe('malformed');
  });

  it('dispatches by style', () => {
    const m = { role: 'assistant' as const, content: 'Final Answer: hi' };
    expect(parseModelOutput(m, 'text')).toEqual({ kind: 'answer', answer: 'hi' });
    expect(parseModelOutput(m, 'native')).toEqual({ kind: 'answer', answer: 'hi' });
  });
});

describe('renderToolsAsText', () => {
  it('lists tools with their arguments (zod or JSON schema)', () => {
    const text = renderToolsAsText([
      {
        name: 'get_order_details',
        description: 'Get the status and items of an order.',
        parameters: z.object({ order_id: z.string().describe('The order id, like #W0000000') }),
      },
      {
        name: 'exchange_items',
        description: 'Exchange items.',
        parameters: { type: 'object', properties: { item_ids: { type: 'array', items: { type: 'string' } }, mode: { enum: ['a', 'b'] } }, required: ['item_ids'] },
      },
      { name: 'list_categories', description: 'All categories.', parameters: z.object({}) },
    ]);
    expect(text).toContain('- get_order_details: Get the status and items of an order.');
    expect(text).toContain('    - order_id (string, required): The order id, like #W0000000');
    expect(text).toContain('    - item_ids (array of string, required)');
    expect(text).toContain('    - mode (one of "a", "b")');
    expect(text).toContain('arguments: none ({})');
    expect(text).not.toContain('Final Answer');
    expect(TEXT_FORMAT_INSTRUCTIONS).toContain('Action: <tool_name> | {"argument": "value"}');
  });
});
