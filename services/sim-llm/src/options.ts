// Settings of sim-llm: latency and fault injection specs, parsed once and checked.
import { StewardError } from '@steward/core';

export interface LatencySpec {
  baseMs: number;
  jitterMs: number;
}

export const FAULT_KINDS = ['429', '500', 'timeout', 'malformed'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultSpec = Partial<Record<FaultKind, number>>;

const invalid = (what: string, value: string, expected: string): StewardError =>
  new StewardError('invalid_option', `sim-llm: invalid ${what} "${value}" (expected ${expected})`, { kind: 'validation', retryable: false });

/** "0", "300", "300ms", "300±100ms", "300+-100". */
export function parseLatency(spec: string | undefined): LatencySpec {
  if (spec === undefined || spec.trim() === '') return { baseMs: 0, jitterMs: 0 };
  const m = /^\s*(\d+)\s*(?:ms)?\s*(?:(?:±|\+-|\+\/-)\s*(\d+)\s*(?:ms)?)?\s*$/.exec(spec);
  if (!m) throw invalid('SIM_LLM_LATENCY', spec, '"300" or "300±100ms"');
  return { baseMs: Number(m[1]), jitterMs: Number(m[2] ?? 0) };
}

/** "429:0.3,500:0.05,timeout:0.02,malformed:0.05": the fraction of calls each fault hits. */
export function parseFaults(spec: string | undefined): FaultSpec {
  const out: FaultSpec = {};
  if (spec === undefined || spec.trim() === '') return out;
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [kind, rate] = part.split(':').map((x) => x.trim());
    const n = Number(rate);
    if (!(FAULT_KINDS as readonly string[]).includes(kind ?? '') || !Number.isFinite(n) || n < 0 || n > 1) {
      throw invalid('SIM_LLM_FAULTS entry', part, `<${FAULT_KINDS.join('|')}>:<fraction 0..1>`);
    }
    out[kind as FaultKind] = n;
  }
  const total = Object.values(out).reduce((a, b) => a + b, 0);
  if (total > 1) throw invalid('SIM_LLM_FAULTS', spec, 'fractions that add up to at most 1');
  return out;
}
