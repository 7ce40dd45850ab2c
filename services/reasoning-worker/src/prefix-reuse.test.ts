import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '@steward/core';
import { prefixReuseShare, promptSegments } from './prefix-reuse.ts';

const tool = (name: string) => ({ type: 'function', function: { name, description: `The ${name} tool, described at some length.`, parameters: { type: 'object', properties: {} } } });
const messages: ChatMessage[] = [
  { role: 'system', content: 'You are steward.\n\nPolicy: be brief.' },
  { role: 'user', content: 'Where is my order #W1234567?' },
];

describe('prefixReuseShare', () => {
  it('is 1 for an identical prompt and grows only with the steps a turn appends', () => {
    const a = promptSegments(messages, [tool('a'), tool('b')], 'gpt-4o');
    expect(prefixReuseShare(a, a)).toBe(1);
    const b = promptSegments([...messages, { role: 'assistant', content: 'Reading it.' }], [tool('a'), tool('b')], 'gpt-4o');
    const share = prefixReuseShare(a, b);
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThan(1);
  });

  it('keeps the tool definitions before the first one that changed (a token-level cache does)', () => {
    const before = promptSegments(messages, [tool('always'), tool('x')], 'gpt-4o');
    const after = promptSegments(messages, [tool('always'), tool('y')], 'gpt-4o');
    const share = prefixReuseShare(before, after);
    expect(share).toBeGreaterThan(0);
    // Nothing after the changed definition counts, the messages included.
    const firstOnly = promptSegments([], [tool('always')], 'gpt-4o').reduce((n, s) => n + s.t, 0);
    const total = after.reduce((n, s) => n + s.t, 0);
    expect(share).toBeCloseTo(Math.round((firstOnly / total) * 1000) / 1000, 3);
    expect(prefixReuseShare([], after)).toBe(0);
  });
});
