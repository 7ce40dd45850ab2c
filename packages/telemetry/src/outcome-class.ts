// One name for how a query ended, shared by the root span, the metrics and the debug trace.
// `query.completed` carries the customer-facing outcome (answered | fallback | handoff) and the
// reason; the operator wants to tell a loop and a crash apart from an ordinary fallback.

export const OUTCOME_CLASSES = ['answered', 'fallback', 'loop_detected', 'handoff', 'failed'] as const;
export type OutcomeClass = (typeof OUTCOME_CLASSES)[number];

const FAILURE_REASONS = new Set(['error', 'llm_unavailable', 'model_fault', 'failed', 'internal']);

export function classifyOutcome(outcome: string, reason: string): OutcomeClass {
  if (reason === 'loop_detected') return 'loop_detected';
  if (outcome === 'handoff' || reason === 'handoff') return 'handoff';
  if (outcome === 'failed' || FAILURE_REASONS.has(reason)) return 'failed';
  if (outcome === 'answered' && (reason === 'answered' || reason === '')) return 'answered';
  return 'fallback';
}

/** Whether the customer got what they asked for (the debug trace's `success`). */
export const isSuccess = (c: OutcomeClass): boolean => c === 'answered';
