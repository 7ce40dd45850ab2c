import { describe, it, expect } from 'vitest';
import type { ChatMessage } from '@steward/core';
import { toUnits, isOrphanFree, splitVerbatimWindow } from './message-units.ts';

const call = (ids: string[]): ChatMessage => ({
  role: 'assistant',
  content: null,
  tool_calls: ids.map((id) => ({ id, type: 'function' as const, function: { name: 'f', arguments: '{}' } })),
});
const result = (id: string): ChatMessage => ({ role: 'tool', tool_call_id: id, content: 'ok' });
const user = (c: string): ChatMessage => ({ role: 'user', content: c });

describe('toUnits', () => {
  it('groups a tool-call message with all its results', () => {
    const { units, invalid } = toUnits([user('a'), call(['1', '2']), result('2'), result('1'), user('b')]);
    expect(invalid).toEqual([]);
    expect(units.map((u) => u.messages.length)).toEqual([1, 3, 1]);
    expect(units[1]!.isToolStep).toBe(true);
  });

  it('sets aside orphan results and calls missing a result', () => {
    const { units, invalid } = toUnits([result('x'), call(['1', '2']), result('1'), user('b'), call(['3']), result('3'), result('9')]);
    expect(units.map((u) => u.messages[0]!.role)).toEqual(['user', 'assistant']);
    expect(invalid).toHaveLength(4);
    expect(isOrphanFree(units.flatMap((u) => u.messages))).toBe(true);
  });
});

describe('splitVerbatimWindow', () => {
  it('keeps the last n messages without splitting a tool step', () => {
    const h = [user('1'), user('2'), call(['a']), result('a'), user('3'), user('4')];
    expect(splitVerbatimWindow(h, 3).window).toEqual([user('3'), user('4')]);
    expect(splitVerbatimWindow(h, 4).window).toEqual(h.slice(2));
    const s = splitVerbatimWindow(h, 2);
    expect(s.older).toEqual(h.slice(0, 4));
    expect([...s.older, ...s.window]).toEqual(h);
  });
});
