import { describe, it, expect } from 'vitest';
import type { ChatMessage } from '@steward/core';
import { countTokens, tokenCountCache } from '@steward/context';
import { prefixReuseShare, promptSegments } from './prefix-reuse.ts';

const MODEL = 'gpt-4o';
const SYSTEM = Array.from({ length: 8 }, (_, i) => `Rule ${i}: look the order up before answering about it.`).join('\n\n');
const tools = [{ type: 'function', function: { name: 'get_order_details', description: 'An order', parameters: { type: 'object' } } }];

function prompt(memory: string, last: string): ChatMessage[] {
  return [
    { role: 'system', content: `${SYSTEM}\n\n${memory}` },
    { role: 'user', content: 'Where is my order #W1234567?' },
    { role: 'assistant', content: last },
  ];
}

describe('promptSegments / prefixReuseShare', () => {
  it('counts each part with the prompt builder counts, and shares the unchanged leading parts', () => {
    const a = promptSegments(prompt('Memory: none', 'It shipped.'), tools, MODEL);
    expect(a[0]!.t).toBe(countTokens(JSON.stringify(tools), MODEL));
    expect(a.reduce((n, s) => n + s.t, 0)).toBe(
      countTokens(JSON.stringify(tools), MODEL) + countTokens(`${SYSTEM}\n\nMemory: none`, MODEL) + countTokens('Where is my order #W1234567?', MODEL) + countTokens('It shipped.', MODEL),
    );
    expect(prefixReuseShare(a, a)).toBe(1);
    // A changed memory section keeps the tools and the pinned system text as the shared prefix.
    const b = promptSegments(prompt('Memory: order #W1234567 delivered', 'It shipped.'), tools, MODEL);
    const share = prefixReuseShare(a, b);
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThan(1);
    expect(prefixReuseShare([], b)).toBe(0);
  });

  it('does not tokenise again what it already counted', () => {
    promptSegments(prompt('Memory: x', 'Done.'), tools, MODEL);
    const misses = tokenCountCache().misses;
    promptSegments(prompt('Memory: x', 'Done.'), tools, MODEL);
    expect(tokenCountCache().misses).toBe(misses);
  });

  it('tells a user and an assistant saying the same apart', () => {
    const user: ChatMessage[] = [{ role: 'user', content: 'ok' }];
    const assistant: ChatMessage[] = [{ role: 'assistant', content: 'ok' }];
    expect(promptSegments(user, [], MODEL)[0]!.h).not.toBe(promptSegments(assistant, [], MODEL)[0]!.h);
  });
});
