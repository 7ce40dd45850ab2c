import { z } from 'zod';

export const QueryStatus = z.enum(['queued', 'running', 'completed', 'failed']);
export type QueryStatus = z.infer<typeof QueryStatus>;

/** What the customer got. */
export const QueryOutcome = z.enum(['answered', 'fallback', 'handoff']);
export type QueryOutcome = z.infer<typeof QueryOutcome>;

/** Why a query ended; `answered` is the happy path, the rest are named limits and failures. */
export const EndReason = z.enum([
  'answered',
  'max_turns',
  'deadline',
  'tool_limit',
  'token_budget',
  'cost_budget',
  'loop_detected',
  'handoff',
  'llm_unavailable',
  /** The model kept answering with nothing usable (empty, broken tool calls): its fault, not a loop. */
  'model_fault',
  'error',
  'superseded',
]);
export type EndReason = z.infer<typeof EndReason>;

/** Per-query state machine (packages/control owns the transitions). */
export const QueryState = z.enum([
  'idle',
  'reasoning',
  'acting',
  'observing',
  'completed',
  'failed',
  'loop_detected',
  'handed_off',
]);
export type QueryState = z.infer<typeof QueryState>;
