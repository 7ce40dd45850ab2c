import { describe, expect, it } from 'vitest';
import { transcriptText } from './transcript-text.ts';
import type { Transcript } from './transcript.ts';

const t: Transcript = {
  conversationId: 'c1',
  customerId: 'cust_1',
  channel: 'api',
  language: 'en',
  startedAt: '2026-11-30T10:00:00.000Z',
  lastAt: '2026-11-30T10:00:05.000Z',
  orders: ['#W1'],
  messages: [],
  queries: [
    {
      queryId: 'q1',
      customerId: 'cust_1',
      language: 'en',
      message: 'Where is #W1?',
      answer: 'It shipped.',
      outcome: 'answered',
      reason: 'final_answer',
      turns: 2,
      toolCalls: 1,
      tokens: { input: 100, output: 20 },
      costUsd: 0.0012,
      traceId: 't',
      createdAt: '2026-11-30T10:00:00.000Z',
      completedAt: '2026-11-30T10:00:05.000Z',
      steps: [
        { id: 's1', kind: 'llm', turn: 0, index: null, name: 'sim', thought: 'look it up', arguments: null, result: 'get_order_details(...)', error: null, ok: true, latencyMs: 5, tokens: { input: 80, output: 10 }, costUsd: 0.001, at: '2026-11-30T10:00:01.000Z' },
        { id: 's2', kind: 'tool', turn: 0, index: 0, name: 'get_order_details', thought: null, arguments: { order_id: '#W1' }, result: '{"status":"shipped"}', error: null, ok: true, latencyMs: 12, tokens: null, costUsd: null, at: '2026-11-30T10:00:02.000Z' },
      ],
      writes: [],
    },
  ],
  handoffs: [],
};

describe('transcriptText', () => {
  it('reads as the conversation happened: message, thought, action, observation, answer, totals', () => {
    const lines = transcriptText(t).split('\n');
    const at = (s: string) => lines.findIndex((l) => l.includes(s));
    expect(lines[1]).toBe('Customer: cust_1 · channel: api · language: en');
    expect(at('Customer: Where is #W1?')).toBeLessThan(at('[t0] Thought: look it up'));
    expect(at('[t0] Thought: look it up')).toBeLessThan(at('[t0] Action: get_order_details({"order_id":"#W1"}) 12 ms'));
    expect(at('Action:')).toBeLessThan(at('[t0] Observation: {"status":"shipped"}'));
    expect(at('Observation')).toBeLessThan(at('Agent: It shipped.'));
    expect(lines[at('Agent: It shipped.') + 1]).toBe('   outcome: answered (final_answer) · turns: 2 · tokens: 100+20 · $0.001200');
  });

  it("puts a closed handoff after the query that started it, with who said what", () => {
    const withHandoff: Transcript = {
      ...t,
      handoffs: [
        {
          handoffId: 'q1',
          reason: 'customer_request',
          summary: null,
          state: 'resolved',
          claimedBy: 'mei',
          createdAt: '2026-11-30T10:00:05.000Z',
          claimedAt: '2026-11-30T10:01:00.000Z',
          closedAt: '2026-11-30T10:05:00.000Z',
          messages: [
            { from: 'customer', operator: null, content: 'hello?', queryId: 'q2', at: '2026-11-30T10:00:30.000Z' },
            { from: 'operator', operator: 'mei', content: 'Hi, Mei here.', queryId: 'r1', at: '2026-11-30T10:01:10.000Z' },
            { from: 'note', operator: 'mei', content: 'refund approved', queryId: null, at: '2026-11-30T10:02:00.000Z' },
          ],
        },
      ],
    };
    const lines = transcriptText(withHandoff).split('\n');
    const at = (s: string) => lines.findIndex((l) => l.includes(s));
    expect(at('── handoff q1 · customer_request · resolved · mei · closed 2026-11-30T10:05:00.000Z')).toBeGreaterThan(at('Agent: It shipped.'));
    expect(lines.slice(at('── handoff q1') + 1, at('── handoff q1') + 4)).toEqual(['  Customer: hello?', '  Operator (mei): Hi, Mei here.', '  Note (mei): refund approved']);
  });
});
