import { describe, expect, it } from 'vitest';
import { ChatMessage } from '@steward/core';
import { proposalIn } from './dag.ts';

const proposal = { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_order_details', arguments: '{"order_id":"#W1"}' } }] };
const raw = (...steps: unknown[]) => steps.map((s) => JSON.stringify(s));

describe('proposalIn (the one step observe reads of the scratchpad)', () => {
  it('is the last assistant message with tool calls, as ChatMessage parses it', () => {
    const earlier = { ...proposal, tool_calls: [{ ...proposal.tool_calls[0], id: 'c0' }] };
    const steps = raw({ role: 'user', content: 'hi' }, earlier, { role: 'tool', tool_call_id: 'c0', content: '{}' }, proposal, { role: 'assistant', content: 'thinking' });
    expect(proposalIn(steps)).toEqual(ChatMessage.parse(proposal));
  });

  it('is undefined when no step proposed a call (an empty tool_calls is no proposal)', () => {
    expect(proposalIn([])).toBeUndefined();
    expect(proposalIn(raw({ role: 'assistant', content: 'done', tool_calls: [] }, { role: 'user', content: 'hi' }))).toBeUndefined();
  });

  it('rejects a damaged proposal instead of reading its calls wrong', () => {
    expect(() => proposalIn(raw({ role: 'assistant', tool_calls: [{ id: 'c1' }] }))).toThrow();
  });

  it('does not validate the steps before the proposal: observe does not read them', () => {
    expect(proposalIn(raw({ role: 'nobody' }, proposal))).toEqual(ChatMessage.parse(proposal));
  });
});
