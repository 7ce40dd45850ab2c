// The debug trace as text an engineer reads in a terminal or a ticket: one block per turn,
// every step with its timing and tokens, and the link to the same trace in Jaeger.
import type { DebugStep, DebugTrace } from './debug-trace.ts';

/** Long observations are cut in the report; the JSON trace keeps them whole. */
export const REPORT_MAX_FIELD_CHARS = 600;

const clip = (s: string): string =>
  s.length > REPORT_MAX_FIELD_CHARS ? `${s.slice(0, REPORT_MAX_FIELD_CHARS)}… (${s.length} chars)` : s;
const oneLine = (s: string): string => clip(s.replace(/\s*\n\s*/g, ' ⏎ '));
const usd = (v: number): string => `$${Number(v.toPrecision(4))}`;

export function renderDebugReport(trace: DebugTrace, opts: { jaegerUrl?: string } = {}): string {
  const t = trace.totals;
  const out: string[] = [];
  const ending = trace.outcome ? `${trace.outcome} (${trace.reason ?? 'no reason'})` : 'in progress';
  out.push(`Query ${trace.queryId}${trace.conversationId ? ` · conversation ${trace.conversationId}` : ''}`);
  out.push(`Status: ${trace.status} · outcome: ${ending} · ${t.success ? 'success' : 'not a success'}`);
  if (trace.traceId) {
    const link = opts.jaegerUrl ? ` → ${opts.jaegerUrl.replace(/\/+$/, '')}/trace/${trace.traceId}` : '';
    out.push(`Trace: ${trace.traceId}${link}`);
  }
  out.push(
    `Totals: ${t.latencyMs} ms · ${t.turns} turn${t.turns === 1 ? '' : 's'} · ${t.toolCalls} tool call${t.toolCalls === 1 ? '' : 's'}` +
      ` · tokens ${t.inputTokens} in / ${t.outputTokens} out · ${usd(t.costUsd)}`,
  );

  let turn: number | undefined;
  for (const s of trace.steps) {
    if (s.turn !== turn) {
      turn = s.turn;
      out.push('', `Turn ${turn}`);
    }
    out.push(...stepLines(s));
  }
  if (trace.answer !== undefined) out.push('', `Answer: ${oneLine(trace.answer)}`);
  return `${out.join('\n')}\n`;
}

function stepLines(s: DebugStep): string[] {
  const lines: string[] = [];
  const err = s.error ? ` · ERROR ${s.error}` : '';
  if (s.kind === 'llm') {
    const tok = s.tokens
      ? ` · ${s.tokens.input} in / ${s.tokens.output} out${s.tokens.cachedInput ? ` (${s.tokens.cachedInput} cached)` : ''}`
      : '';
    lines.push(`  [llm] ${s.name} · ${s.latencyMs} ms${tok}${err}`);
    if (s.thought) lines.push(`      thought: ${oneLine(s.thought)}`);
    if (s.action) lines.push(`      action: ${oneLine(s.action)}`);
  } else if (s.kind === 'tool') {
    const cache = s.cacheHit === undefined ? '' : s.cacheHit ? ' · cache hit' : ' · cache miss';
    lines.push(`  [tool] ${s.name} · ${s.latencyMs} ms${cache}${err}`);
    if (s.arguments) lines.push(`      arguments: ${oneLine(JSON.stringify(s.arguments))}`);
    if (s.observation !== undefined) lines.push(`      observation: ${oneLine(s.observation)}`);
  } else {
    lines.push(`  [decision] ${s.name}${s.observation ? `: ${oneLine(s.observation)}` : ''}`);
  }
  return lines;
}
