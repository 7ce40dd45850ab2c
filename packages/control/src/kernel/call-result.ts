import type { ToolJob } from '@steward/core';

/** The stored outcome of one tool call of a turn. */
export interface CallResult {
  name: string;
  callId: string;
  result: string;
  ok: boolean;
  cacheHit?: boolean;
  /**
   * Why the call failed, when it did: the control logic reads this, never the text (which stays
   * exactly what the model must see, τ-bench strings included). Absent in results recorded
   * before the field existed.
   */
  errorType?: ToolErrorType;
}

export type ToolErrorType =
  | 'unknown_tool'
  | 'invalid_arguments'
  | 'confirmation_required'
  | 'unresolved_reference'
  | 'invalid_call_ref'
  | 'dependency_failed'
  | 'denied'
  /** Too many failed identity lookups in this conversation or by this principal. */
  | 'identity_locked'
  | 'tool_error'
  | 'unavailable';

/** One call of a turn's DAG as a transition plans it (the store keeps it in the turn's hash). */
export interface PlannedCall {
  /** How many calls of the turn must end before this one may start. */
  pending: number;
  dependents: number[];
  /** The job to enqueue when the call's dependencies have ended (absent for pre-answered calls). */
  job?: ToolJob;
  /** Calls that never run (unknown tool, invalid arguments, confirmation needed) come pre-answered. */
  result?: CallResult;
}
