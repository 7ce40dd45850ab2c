import { describe, expect, it } from 'vitest';
import { timingOf } from './event-metrics.ts';
import { hopsOf, inFlightPeaks, overheadBreakdown, type JobTimes } from './overhead-breakdown.ts';

const completed = (turns: number, startMs: number, endMs: number) => ({
  id: 'q1:completed',
  type: 'query.completed',
  queryId: 'q1',
  data: { outcome: 'answered', reason: 'answered', rootSpanId: 'r', startMs, endMs, turns, toolCalls: 1, inputTokens: 10, outputTokens: 5, costUsd: 0, language: 'en' },
});
const llm = (turn: number, startMs: number, endMs: number) => ({ id: `q1:t${turn}:llm`, type: 'llm.call', queryId: 'q1', data: { turn, startMs, endMs } });
const tool = (turn: number, index: number, startMs: number, endMs: number) => ({ id: `q1:t${turn}:c${index}`, type: 'tool.call', queryId: 'q1', data: { turn, index, startMs, endMs } });
const job = (queue: JobTimes['queue'], turn: number, addedMs: number, processedMs: number, finishedMs: number): JobTimes => ({ queue, turn, addedMs, processedMs, finishedMs });

// One query, two turns, accepted at 0 and completed at 400:
//   reason t0 added 5, taken 20, model 30-130, finished 140 · decide t0 added 135, taken 150, finished 160
//   tool c0 added 155, taken 165, call 170-220, finished 230 · observe t0 added 225, taken 235, finished 245
//   reason t1 added 240, taken 250, model 255-355, finished 360 · decide t1 added 358, taken 370, ends the query at 400
const events = [llm(0, 30, 130), tool(0, 0, 170, 220), llm(1, 255, 355), completed(2, 0, 400)];
const jobs = [
  job('reasoning', 0, 5, 20, 140),
  job('control', 0, 135, 150, 160),
  job('tools', 0, 155, 165, 230),
  job('control', 0, 225, 235, 245),
  job('reasoning', 1, 240, 250, 360),
  job('control', 1, 358, 370, 402),
];

describe('hopsOf', () => {
  it('gives every millisecond of the query to one hop, model and tools first, then steps, then waits', () => {
    const t = timingOf('q1', events)!;
    const h = hopsOf(t, events, jobs);
    // 0-5 accept · 5-20 wait · 20-30 before · 30-130 model · 130-140 after · 140-150 decide wait ·
    // 150-160 decide · 160-165 tool wait · 165-170 tool job · 170-220 tool · 220-230 tool job ·
    // 230-235 observe wait · 235-245 observe · 245-250 wait · 250-255 before · 255-355 model ·
    // 355-360 after · 360-370 decide wait · 370-400 decide (its finish at 402 is past the end).
    expect(h).toEqual({
      accept: 5,
      reasoning_wait: 20,
      reasoning_before_model: 15,
      model: 200,
      reasoning_after_model: 15,
      control_wait: 25,
      control_step: 50,
      tools_wait: 5,
      tools_step: 15,
      tool: 50,
      handover: 0,
    });
  });

  it('gives the step taken in the reasoning job (no decide job, ADR 0016) to reasoning_after_model', () => {
    // reason t0 taken 20, model 30-130, decides in place and relays tool c0 (added 136), finished 140
    // · observe t0 · reason t1 taken 250, model 255-355, ends the query in place at 370, finished 372.
    const inPlace = [job('reasoning', 0, 5, 20, 140), job('tools', 0, 136, 145, 230), job('control', 0, 225, 235, 245), job('reasoning', 1, 240, 250, 372)];
    const ev = [llm(0, 30, 130), tool(0, 0, 170, 220), llm(1, 255, 355), completed(2, 0, 370)];
    const t = timingOf('q1', ev)!;
    const h = hopsOf(t, ev, inPlace);
    // 130-140 after (the tool job's wait from 136 is under the step) · 140-145 tool wait · 355-370 after.
    expect(h).toEqual({
      accept: 5,
      reasoning_wait: 20,
      reasoning_before_model: 15,
      model: 200,
      reasoning_after_model: 25,
      control_wait: 5,
      control_step: 10,
      tools_wait: 5,
      tools_step: 35,
      tool: 50,
      handover: 0,
    });
    expect(Object.values(h).reduce((a, b) => a + b, 0)).toBe(370);
  });

  it('counts a redelivered model call once, the last one (as the overhead does)', () => {
    const again = [...events, { ...llm(0, 25, 120), id: 'q1:t0:llm' }];
    const t = timingOf('q1', again)!;
    const h = hopsOf(t, again, jobs);
    expect(h.model).toBe(t.modelMs);
  });

  it('counts time no job covers after the first job as a hand-over', () => {
    const t = timingOf('q1', events)!;
    // Without the observe job, 230-240 is covered by nothing, and turn 1's wait is its whole 240-250.
    const h = hopsOf(t, events, jobs.filter((j) => !(j.queue === 'control' && j.addedMs === 225)));
    expect(h.handover).toBe(10);
    expect(h.reasoning_wait).toBe(25);
  });
});

describe('overheadBreakdown', () => {
  it('sums the overhead hops per turn to the overhead event-metrics reports, and adds the hop to the driver', () => {
    const t = timingOf('q1', events)!;
    const b = overheadBreakdown([t], new Map([['q1', events]]), new Map([['q1', jobs]]), new Map([['q1', 412]]));
    expect(b.overhead!.p50).toBe(t.overheadPerTurnMs);
    expect(b.model!.p50).toBe(100);
    expect(b.answer_to_driver!.p50).toBe(12);
  });
});

describe('inFlightPeaks', () => {
  it('counts the jobs of a queue in the system and running at once', () => {
    const two = [job('reasoning', 0, 0, 10, 100), job('reasoning', 0, 5, 100, 150), job('reasoning', 0, 20, 30, 40)];
    expect(inFlightPeaks(new Map([['a', two]]))).toEqual({ reasoning: { in_system: 3, running: 2 } });
  });
});
