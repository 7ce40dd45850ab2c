import { describe, it, expect } from 'vitest';
import type { ChatMessage } from '@steward/core';
import { countTokens, tokenCountCache } from '@steward/context';
import { createHash } from 'node:crypto';
import { prefixReuseShare, promptSegments, readPrefix, storedPrefix } from './prefix-reuse.ts';

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
    expect(a[0]!.t).toBe(countTokens(JSON.stringify(tools[0]), MODEL));
    expect(a.reduce((n, s) => n + s.t, 0)).toBe(
      countTokens(JSON.stringify(tools[0]), MODEL) + countTokens(`${SYSTEM}\n\nMemory: none`, MODEL) + countTokens('Where is my order #W1234567?', MODEL) + countTokens('It shipped.', MODEL),
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

  it('gives a remembered text the hash it was given when new (label, NUL, text; SHA-1, 12 base64 characters)', () => {
    const text = 'remembered hash check: ' + 'x'.repeat(40);
    const expected = createHash('sha1').update('user').update('\u0000').update(text).digest('base64').slice(0, 12);
    const msgs: ChatMessage[] = [{ role: 'system', content: 's' }, { role: 'user', content: text }];
    expect(promptSegments(msgs, [], 'gpt-4o-mini')[1]!.h).toBe(expected);
    expect(promptSegments(msgs, [], 'gpt-4o-mini')[1]!.h).toBe(expected);
  });

  it('tells a user and an assistant saying the same apart', () => {
    const user: ChatMessage[] = [{ role: 'user', content: 'ok' }];
    const assistant: ChatMessage[] = [{ role: 'assistant', content: 'ok' }];
    expect(promptSegments(user, [], MODEL)[0]!.h).not.toBe(promptSegments(assistant, [], MODEL)[0]!.h);
  });
});

const tool = (name: string) => ({ type: 'function', function: { name, description: `The ${name} tool, described at some length.`, parameters: { type: 'object', properties: {} } } });
const shortPrompt: ChatMessage[] = [
  { role: 'system', content: 'You are steward.\n\nPolicy: be brief.' },
  { role: 'user', content: 'Where is my order #W1234567?' },
];

describe('prefixReuseShare over tool definitions', () => {
  it('is 1 for an identical prompt and grows only with the steps a turn appends', () => {
    const a = promptSegments(shortPrompt, [tool('a'), tool('b')], 'gpt-4o');
    expect(prefixReuseShare(a, a)).toBe(1);
    const b = promptSegments([...shortPrompt, { role: 'assistant', content: 'Reading it.' }], [tool('a'), tool('b')], 'gpt-4o');
    const share = prefixReuseShare(a, b);
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThan(1);
  });

  it('keeps the tool definitions before the first one that changed (a token-level cache does)', () => {
    const before = promptSegments(shortPrompt, [tool('always'), tool('x')], 'gpt-4o');
    const after = promptSegments(shortPrompt, [tool('always'), tool('y')], 'gpt-4o');
    const share = prefixReuseShare(before, after);
    expect(share).toBeGreaterThan(0);
    // Nothing after the changed definition counts, the messages included.
    const firstOnly = promptSegments([], [tool('always')], 'gpt-4o').reduce((n, s) => n + s.t, 0);
    const total = after.reduce((n, s) => n + s.t, 0);
    expect(share).toBeCloseTo(Math.round((firstOnly / total) * 1000) / 1000, 3);
    expect(prefixReuseShare([], after)).toBe(0);
  });
});

describe('storedPrefix / readPrefix', () => {
  it('stores the hashes only and measures the same share as the segments themselves', () => {
    const a = promptSegments(prompt('Memory: none', 'It shipped.'), tools, MODEL);
    const b = promptSegments(prompt('Memory: order #W1234567 delivered', 'It shipped.'), tools, MODEL);
    const stored = storedPrefix(a);
    expect(stored.length).toBeLessThan(JSON.stringify(a).length / 2);
    expect(prefixReuseShare(readPrefix(stored), b)).toBe(prefixReuseShare(a, b));
    expect(prefixReuseShare(readPrefix(storedPrefix(b)), b)).toBe(1);
  });

  it('reads the JSON written before it, and nothing from an empty or broken field', () => {
    const a = promptSegments(shortPrompt, [tool('a')], MODEL);
    expect(prefixReuseShare(readPrefix(JSON.stringify(a)), a)).toBe(1);
    expect(readPrefix('')).toEqual([]);
    expect(readPrefix('[not json')).toEqual([]);
  });
});
