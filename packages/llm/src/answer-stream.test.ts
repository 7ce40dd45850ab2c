import { describe, it, expect } from 'vitest';
import { answerStreamFilter, type AnswerStreamEvent } from './answer-stream.ts';

function run(style: 'native' | 'text' | 'json', pieces: string[]): { events: AnswerStreamEvent[]; shown: string } {
  const events: AnswerStreamEvent[] = [];
  const feed = answerStreamFilter(style, (e) => events.push(e));
  for (const p of pieces) feed(p === 'TOOL' ? { kind: 'tool_call' } : { kind: 'content', text: p });
  let shown = '';
  for (const e of events) shown = e.kind === 'reset' ? '' : shown + e.text;
  return { events, shown };
}

describe('answerStreamFilter', () => {
  it('native: the reply streams as it comes', () => {
    const r = run('native', ['Your order ', '#W1 shipped ', 'on Monday', ' and arrives Friday.']);
    expect(r.shown).toBe('Your order #W1 shipped on Monday and arrives Friday.');
    expect(r.events.length).toBeGreaterThan(1);
  });

  it('native: text followed by tool calls is withdrawn', () => {
    const r = run('native', ['Let me check that order ', 'for you right away.', 'TOOL']);
    expect(r.events.at(-1)).toEqual({ kind: 'reset' });
    expect(r.shown).toBe('');
  });

  it('native: a hermes <tool_call> written as text is never shown, even split across chunks', () => {
    const r = run('native', ['I will look it up now, one moment. <tool', '_call>{"name": "get_order_details"', '}</tool_call>']);
    expect(r.shown).toBe('');
    expect(r.events.map((e) => e.kind === 'text' && e.text).join('')).not.toContain('<tool');
  });

  it('text format: only what follows Final Answer, never a Thought or an Action', () => {
    expect(run('text', ['Thought: the order shipped.\nFinal ', 'Answer: Your order ', 'shipped.']).shown).toBe('Your order shipped.');
    expect(run('text', ['Thought: look it up\nAction: get_order_details | {"order_id": "#W1"}\n', 'Final Answer: done']).events).toEqual([]);
  });

  it('native model answering in the text format is filtered like the text format', () => {
    expect(run('native', ['Thought: I know this.\n', 'Final Answer: It ', 'shipped.']).shown).toBe('It shipped.');
  });

  it('JSON mode: the decoded "answer" string, escapes included', () => {
    const r = run('json', ['{"thought": "known", "ans', 'wer": "Line one\\nsaid \\"hi\\" ', '\\u00e9t\\u00e9', '"}']);
    expect(r.shown).toBe('Line one\nsaid "hi" été');
    expect(run('json', ['{"thought": "x", "tool_calls": [{"name": "a", "arguments": {}}]}']).events).toEqual([]);
  });
});
