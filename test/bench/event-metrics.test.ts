import { describe, expect, it } from 'vitest';
import { timingOf, unionLength } from './event-metrics.ts';
import { percentile } from './stats.ts';

const completed = (turns: number, startMs: number, endMs: number) => ({
  id: 'q1:completed',
  type: 'query.completed',
  queryId: 'q1',
  data: { outcome: 'answered', reason: 'answered', rootSpanId: 'r', startMs, endMs, turns, toolCalls: 2, inputTokens: 10, outputTokens: 5, costUsd: 0, language: 'en' },
});
const llm = (turn: number, startMs: number, endMs: number) => ({ id: `q1:t${turn}:llm`, type: 'llm.call', queryId: 'q1', data: { turn, startMs, endMs } });
const tool = (turn: number, index: number, startMs: number, endMs: number) => ({
  id: `q1:t${turn}:c${index}`,
  type: 'tool.call',
  queryId: 'q1',
  data: { turn, index, startMs, endMs },
});

describe('unionLength', () => {
  it('counts overlapping intervals once and skips the gaps between them', () => {
    expect(unionLength([])).toBe(0);
    expect(unionLength([[0, 10], [5, 20]])).toBe(20);
    expect(unionLength([[30, 40], [0, 10], [10, 15]])).toBe(25);
  });
});

describe('timingOf', () => {
  it('takes model time and the tool intervals of each turn out of the end-to-end time', () => {
    // Turn 0: model 0-100, a chain of two tools 110-150 then 160-200 (the 10 ms hop is overhead);
    // turn 1: model 210-300. End to end 0-320.
    const events = [llm(0, 0, 100), tool(0, 0, 110, 150), tool(0, 1, 160, 200), llm(1, 210, 300), completed(2, 0, 320)];
    const t = timingOf('q1', events)!;
    expect(t.modelMs).toBe(190);
    expect(t.toolMs).toBe(80);
    expect(t.e2eMs).toBe(320);
    expect(t.overheadPerTurnMs).toBe((320 - 190 - 80) / 2);
    expect(t.completionEvents).toBe(1);
  });

  it('counts a redelivered event once for timing but every completion for duplicates', () => {
    const events = [llm(0, 0, 100), llm(0, 0, 100), completed(1, 0, 120), completed(1, 0, 120)];
    const t = timingOf('q1', events)!;
    expect(t.modelMs).toBe(100);
    expect(t.completionEvents).toBe(2);
  });

  it('has no timing for a query that never completed', () => {
    expect(timingOf('q1', [llm(0, 0, 100)])).toBeUndefined();
  });
});

describe('percentile', () => {
  it('is the nearest-rank percentile', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([], 99)).toBe(0);
  });
});
