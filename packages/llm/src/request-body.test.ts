import { describe, expect, it } from 'vitest';
import { requestBodyJson } from './request-body.ts';

const tools = [
  { type: 'function', function: { name: 'get_order_details', description: 'Order "status" – 状态', parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] } } },
  { type: 'function', function: { name: 'find_user_id_by_email', parameters: { type: 'object', properties: {} } } },
];
const messages = [
  { role: 'system', content: 'You are\n"steward".' },
  { role: 'user', content: '我的订单 #W1 在哪？\u2028' },
  { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_order_details', arguments: '{"order_id":"#W1"}' } }] },
];

describe('requestBodyJson', () => {
  it('is byte for byte JSON.stringify of the same body, with and without tools and scalars', () => {
    const rests: Record<string, unknown>[] = [{}, { max_tokens: 500, temperature: 0 }, { tool_choice: 'auto', max_completion_tokens: 9, stream: true, stream_options: { include_usage: true } }];
    for (const rest of rests) {
      for (const withTools of [true, false]) {
        const plain = JSON.stringify({ model: 'gpt-4o-mini', messages, ...(withTools ? { tools } : {}), ...rest });
        expect(requestBodyJson({ model: 'gpt-4o-mini', messages, ...(withTools ? { tools } : {}), rest })).toBe(plain);
      }
    }
  });

  it('serialises a tool array once: the same array object gives its first JSON again', () => {
    const offered = [{ type: 'function', function: { name: 'a' } }];
    const first = requestBodyJson({ model: 'm', messages: [], tools: offered, rest: {} });
    // Offered arrays are never changed; this shows the JSON is the remembered one, not made anew.
    offered.push({ type: 'function', function: { name: 'b' } });
    expect(requestBodyJson({ model: 'm', messages: [], tools: offered, rest: {} })).toBe(first);
    expect(requestBodyJson({ model: 'm', messages: [], tools: [...offered], rest: {} })).toContain('"name":"b"');
  });
});
