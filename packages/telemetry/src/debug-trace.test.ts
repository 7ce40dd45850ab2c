import { describe, it, expect } from 'vitest';
import { buildDebugTrace, DebugTrace } from './debug-trace.ts';
import { renderDebugReport } from './debug-report.ts';
import { PII, sampleQuery } from './sample-events.ts';

describe('buildDebugTrace', () => {
  it('lists every step per turn with thought, action, arguments, observation, error, latency and tokens', () => {
    const q = sampleQuery();
    // Shuffled and with one redelivered duplicate: order and idempotence come from the data.
    const events = [...q.events].reverse();
    events.push(q.events[3]!);
    const trace = buildDebugTrace(events);
    expect(DebugTrace.parse(trace)).toEqual(trace);
    expect(trace).toMatchObject({
      queryId: q.queryId,
      conversationId: q.conversationId,
      traceId: q.traceId,
      status: 'completed',
      outcome: 'answered',
      reason: 'answered',
      totals: { latencyMs: 910, inputTokens: 1836, outputTokens: 144, costUsd: 0.0027, turns: 2, toolCalls: 2, success: true },
    });
    expect(trace.steps.map((s) => [s.turn, s.kind, s.name])).toEqual([
      [0, 'llm', 'sim-llm-1'],
      [0, 'tool', 'find_user_id_by_email'],
      [0, 'tool', 'get_order_details'],
      [0, 'decision', 'loop_warning'],
      [1, 'llm', 'sim-llm-1'],
    ]);
    const [llm, tool, failed] = trace.steps;
    expect(llm).toMatchObject({ latencyMs: 390, tokens: { input: 812, output: 64, cachedInput: 256 } });
    expect(llm!.thought).toContain('[email]');
    expect(tool).toMatchObject({ latencyMs: 70, cacheHit: false, arguments: { email: '[REDACTED]' } });
    expect(tool!.observation).toContain('noah_brown_6181');
    expect(failed).toMatchObject({ error: 'not_found', cacheHit: true });
    const json = JSON.stringify(trace);
    for (const secret of [PII.email, PII.cardDigits, PII.card, PII.street, PII.lastFour]) expect(json).not.toContain(secret);
  });

  it('keeps raw text only when redaction is turned off', () => {
    const trace = buildDebugTrace(sampleQuery().events, { redact: false });
    expect(trace.steps[1]!.arguments).toEqual({ email: PII.email });
  });

  it('reports a query still running with totals summed from its steps', () => {
    const q = sampleQuery();
    const trace = buildDebugTrace(q.events.slice(0, 4));
    expect(trace.status).toBe('running');
    expect(trace.outcome).toBeUndefined();
    expect(trace.totals).toMatchObject({ inputTokens: 812, outputTokens: 64, turns: 1, toolCalls: 1, success: false });
    expect(buildDebugTrace(q.events.slice(0, 1)).status).toBe('queued');
  });

  it('marks a failed query', () => {
    const trace = buildDebugTrace(sampleQuery({ outcome: 'fallback', reason: 'error' }).events);
    expect(trace.status).toBe('failed');
    expect(trace.totals.success).toBe(false);
  });
});

describe('renderDebugReport', () => {
  it('renders each step with timings, tokens, errors and the Jaeger link, without personal data', () => {
    const q = sampleQuery();
    const text = renderDebugReport(buildDebugTrace(q.events), { jaegerUrl: 'http://localhost:16686/' });
    expect(text).toContain(`Trace: ${q.traceId} → http://localhost:16686/trace/${q.traceId}`);
    expect(text).toContain('Totals: 910 ms · 2 turns · 2 tool calls · tokens 1836 in / 144 out · $0.0027');
    expect(text).toContain('Turn 0\n  [llm] sim-llm-1 · 390 ms · 812 in / 64 out (256 cached)');
    expect(text).toContain('  [tool] find_user_id_by_email · 70 ms · cache miss');
    expect(text).toContain('  [tool] get_order_details · 60 ms · cache hit · ERROR not_found');
    expect(text).toContain('  [decision] loop_warning: same call repeated for [email]');
    expect(text).toContain('Turn 1\n');
    expect(text).toContain('Answer: Your order ships tomorrow to [address]');
    for (const secret of [PII.email, PII.cardDigits, PII.card, PII.street]) expect(text).not.toContain(secret);
  });
});
