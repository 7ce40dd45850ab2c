// How free text reaches the archive: the deployment's PII policy. Customer ids and order ids
// are business ids and stay readable either way (they are what lookup and erasure use).
import { redactDeep, redactPii } from '@steward/telemetry';

export type PiiPolicy = 'redact' | 'keep';

export interface TextPolicy {
  text(s: string | undefined): string | null;
  json(v: unknown): unknown;
}

export function textPolicy(p: PiiPolicy): TextPolicy {
  return p === 'keep'
    ? { text: (s) => s ?? null, json: (v) => v ?? null }
    : { text: (s) => (s === undefined ? null : redactPii(s)), json: (v) => (v === undefined ? null : redactDeep(v)) };
}

// τ-bench / shop order ids look like `#W1234567`.
const ORDER_ID = /#W\d{4,}/g;

/** Order ids mentioned anywhere in `values` (strings or nested arguments). */
export function orderIdsIn(...values: unknown[]): string[] {
  const found = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 6 || v === null || v === undefined) return;
    if (typeof v === 'string') for (const m of v.matchAll(ORDER_ID)) found.add(m[0]);
    else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (typeof v === 'object') for (const x of Object.values(v)) walk(x, depth + 1);
  };
  for (const v of values) walk(v, 0);
  return [...found];
}
