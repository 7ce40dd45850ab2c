import { describe, it, expect } from 'vitest';
import type { ChatMessage } from '@steward/core';
import { countTokens, countMessageTokens, countToolDefinitionTokens, messageTokens, REPLY_PRIMING_TOKENS, TOKENS_PER_TOOL_DEFINITION, tokenCountCache } from './count-tokens.ts';
import { encodingForModel, setEncodingRules, DEFAULT_ENCODING_RULES } from './encodings.ts';

describe('encodingForModel', () => {
  it('maps model families to their encodings', () => {
    for (const m of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'o3', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'openai/gpt-4o'])
      expect(encodingForModel(m), m).toBe('o200k_base');
    for (const m of ['gpt-4', 'gpt-4-turbo', 'gpt-3.5-turbo', 'gpt-4-0613']) expect(encodingForModel(m), m).toBe('cl100k_base');
    for (const m of ['sim-llm-1', 'deepseek-chat', 'claude-sonnet-4']) expect(encodingForModel(m), m).toBe('o200k_base');
  });

  it('takes a configured map', () => {
    setEncodingRules([{ pattern: /^sim-/, encoding: 'cl100k_base' }]);
    try {
      expect(encodingForModel('sim-llm-1')).toBe('cl100k_base');
      expect(encodingForModel('gpt-4')).toBe('o200k_base');
    } finally {
      setEncodingRules(DEFAULT_ENCODING_RULES);
    }
    expect(encodingForModel('sim-llm-1')).toBe('o200k_base');
  });
});

describe('countTokens', () => {
  it('counts known strings exactly', () => {
    expect(countTokens('hello world', 'gpt-4o')).toBe(2);
    expect(countTokens('hello world', 'gpt-4')).toBe(2);
    expect(countTokens('', 'gpt-4o')).toBe(0);
  });

  it('counts Chinese by tokens, not characters or words', () => {
    const zh = '您好，我想查询一下我的订单状态，订单号是 #W2378156，谢谢！';
    const n4o = countTokens(zh, 'gpt-4o');
    const n4 = countTokens(zh, 'gpt-4');
    // Neither a word count (1-2 "words") nor a byte count (~80): CJK text costs about a token per 1-2 characters.
    expect(n4o).toBeGreaterThan(10);
    expect(n4o).toBeLessThan(zh.length);
    // o200k has a much larger CJK vocabulary than cl100k.
    expect(n4).toBeGreaterThan(n4o);
  });

  it('treats special-token strings in customer text as plain text instead of throwing', () => {
    expect(countTokens('<|endoftext|> hi', 'gpt-4o')).toBeGreaterThan(3);
  });
});

describe('countMessageTokens', () => {
  it('adds the chat-format overhead per message and for the reply', () => {
    const msgs: ChatMessage[] = [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'hello world' },
    ];
    const contents = countTokens('You are helpful.', 'gpt-4o') + countTokens('hello world', 'gpt-4o');
    const roles = countTokens('system', 'gpt-4o') + countTokens('user', 'gpt-4o');
    expect(countMessageTokens(msgs, 'gpt-4o')).toBe(contents + roles + 2 * 3 + REPLY_PRIMING_TOKENS);
  });

  it('counts tool calls and tool results', () => {
    const call: ChatMessage = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_order_details', arguments: '{"order_id":"#W1"}' } }],
    };
    const bare: ChatMessage = { role: 'assistant', content: null };
    expect(messageTokens(call, 'gpt-4o')).toBeGreaterThan(messageTokens(bare, 'gpt-4o') + countTokens('{"order_id":"#W1"}', 'gpt-4o'));
    const tool: ChatMessage = { role: 'tool', tool_call_id: 'call_1', content: '{"status":"delivered"}' };
    expect(messageTokens(tool, 'gpt-4o')).toBeGreaterThan(countTokens('{"status":"delivered"}', 'gpt-4o'));
  });

  it('counts tool definitions', () => {
    const tools = [{ type: 'function', function: { name: 'f', description: 'does f', parameters: { type: 'object' } } }];
    expect(countToolDefinitionTokens(tools, 'gpt-4o')).toBeGreaterThan(countTokens(JSON.stringify(tools[0]), 'gpt-4o'));
  });
});

describe('countToolDefinitionTokens by definition object', () => {
  const def = { type: 'function', function: { name: 'get_order_details', description: 'The order, its items and status.', parameters: { type: 'object', properties: { order_id: { type: 'string' } } } } };

  it('counts each definition as its JSON once, then by the object alone; a copy counts the same', () => {
    const exact = TOKENS_PER_TOOL_DEFINITION + countTokens(JSON.stringify(def), 'gpt-4o');
    expect(countToolDefinitionTokens([def], 'gpt-4o')).toBe(exact);
    const lookups = tokenCountCache().hits + tokenCountCache().misses;
    expect(countToolDefinitionTokens([def, def], 'gpt-4o')).toBe(2 * exact);
    // Remembered per object: not even a lookup of its JSON.
    expect(tokenCountCache().hits + tokenCountCache().misses).toBe(lookups);
    expect(countToolDefinitionTokens([structuredClone(def)], 'gpt-4o')).toBe(exact);
  });

  it('follows the encoding of the model, not its name', () => {
    const cl = TOKENS_PER_TOOL_DEFINITION + countTokens(JSON.stringify(def), 'gpt-4');
    setEncodingRules([{ pattern: /^sim-/, encoding: 'cl100k_base' }]);
    try {
      expect(countToolDefinitionTokens([def], 'sim-x')).toBe(cl);
    } finally {
      setEncodingRules(DEFAULT_ENCODING_RULES);
    }
  });
});
