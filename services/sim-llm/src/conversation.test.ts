import { describe, expect, it } from 'vitest';
import { availableTools, readConversation } from './conversation.ts';
import { ChatRequest } from './request-schema.ts';

const read = (messages: unknown[], tools?: string[]) => {
  const req = ChatRequest.parse({ messages, ...(tools ? { tools: tools.map((name) => ({ type: 'function', function: { name } })) } : {}) });
  return { conv: readConversation(req), tools: availableTools(req, readConversation(req).system) };
};

describe('reading the conversation', () => {
  it('takes the facts from the system prompt, and the loop warning from a later system message', () => {
    const { conv } = read([
      { role: 'system', content: 'You are steward.\nVerified customer: james_li_5688\nCustomer language: zh' },
      { role: 'user', content: 'hello' },
      { role: 'system', content: 'Loop warning: you may be repeating yourself.' },
    ]);
    expect(conv.verified).toBe('james_li_5688');
    expect(conv.promptLanguage).toBe('zh');
    expect(conv.loopWarning).toBe(true);
    expect(conv.language).toBe('en');
    const zh = { role: 'system', content: 'Verified customer: none\nCustomer language: zh' };
    expect(read([zh, { role: 'user', content: 'james.li@example.com' }]).conv.language).toBe('zh');
    expect(read([zh, { role: 'user', content: 'yes please' }]).conv.language).toBe('en');
    expect(read([{ role: 'system', content: 'Verified customer: none' }, { role: 'user', content: 'hi' }]).conv.verified).toBeNull();
    expect(read([{ role: 'user', content: 'hi' }]).conv.verified).toBeUndefined();
  });

  it('reads text-format steps: several Action lines, Action Input, and Observation messages', () => {
    const { conv, tools } = read([
      { role: 'system', content: 'You can use these tools:\n- get_product_details: …\n- check_inventory: …' },
      { role: 'user', content: 'compare 1 and 2' },
      { role: 'assistant', content: 'Thought: read both\nAction: get_product_details | {"product_id":"1"}\nAction: get_product_details | {"product_id":"2"}' },
      { role: 'user', content: 'Observation: {"name":"A"}' },
      { role: 'user', content: 'Observation (get_product_details): {"name":"B"}' },
      { role: 'assistant', content: 'Thought: stock\nAction: check_inventory\nAction Input: {"item_id":"9"}' },
    ]);
    expect(conv.lastUser).toBe('compare 1 and 2');
    expect(conv.steps.map((s) => [s.name, s.args, s.result])).toEqual([
      ['get_product_details', { product_id: '1' }, '{"name":"A"}'],
      ['get_product_details', { product_id: '2' }, '{"name":"B"}'],
      ['check_inventory', { item_id: '9' }, undefined],
    ]);
    expect([...tools].sort()).toEqual(['check_inventory', 'get_product_details']);
  });

  it('offers no tools when tool_choice is "none", and maps the typo tool back', () => {
    const req = ChatRequest.parse({ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'think' } }], tool_choice: 'none' });
    expect(availableTools(req, '').size).toBe(0);
    const { conv } = read([
      { role: 'user', content: 'x' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'get_ordr_details', arguments: '{"order_id":"#W1"}' } }] },
      { role: 'tool', tool_call_id: 'a', content: 'Error: order not found' },
    ]);
    expect(conv.steps[0]).toMatchObject({ name: 'get_order_details', rawName: 'get_ordr_details', result: 'Error: order not found' });
  });
});
