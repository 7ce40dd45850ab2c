// Seeded randomness for latency jitter and fault injection: a benchmark run with the same
// seed sees the same sequence of delays and failures.
import type { FaultKind, FaultSpec, LatencySpec } from './options.ts';
import { FAULT_KINDS } from './options.ts';
import { seededRandom } from '@steward/core';

/** mulberry32, seeded from any string or number: tiny, fast, good enough to spread faults. */
export { seededRandom };

/** One uniform draw decides the fault of a call: each kind owns a slice of [0, 1). */
export function drawFault(spec: FaultSpec, r: number): FaultKind | undefined {
  let edge = 0;
  for (const kind of FAULT_KINDS) {
    edge += spec[kind] ?? 0;
    if (r < edge) return kind;
  }
  return undefined;
}

export function drawDelay(spec: LatencySpec, r: number): number {
  return Math.max(0, Math.round(spec.baseMs + (r * 2 - 1) * spec.jitterMs));
}
