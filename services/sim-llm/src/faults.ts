// Seeded randomness for latency jitter and fault injection: a benchmark run with the same
// seed sees the same sequence of delays and failures.
import type { FaultKind, FaultSpec, LatencySpec } from './options.ts';
import { FAULT_KINDS } from './options.ts';

/** mulberry32: tiny, fast, good enough to spread faults; seeded from any string or number. */
export function seededRandom(seed: string | number): () => number {
  let h = 1779033703 ^ String(seed).length;
  for (const ch of String(seed)) {
    h = Math.imul(h ^ ch.charCodeAt(0), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
