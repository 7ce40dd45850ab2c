import { StewardError, type EndReason, type QueryState } from '@steward/core';

// The per-query state machine the runtime obeys: every step checks its path through this table
// and an illegal one throws (a bug, never retried). One ReAct turn is
//   reasoning --propose_tools--> acting --tools_done--> observing --start--> reasoning …
// (observing is passed through inside one atomic step when no loop is found), and an unusable
// model output is handed back to the model: reasoning --reject_output--> reasoning (next turn).
// and a query ends in exactly one terminal state. Terminal states accept no event, so a
// redelivered job for an ended query is recognised as stale instead of reviving it.

export const QUERY_EVENTS = ['start', 'propose_answer', 'propose_tools', 'reject_output', 'tools_done', 'limit', 'loop_critical', 'handoff', 'fail'] as const;
export type QueryEvent = (typeof QUERY_EVENTS)[number];

export const TERMINAL_STATES: readonly QueryState[] = ['completed', 'failed', 'loop_detected', 'handed_off'];

/** Events every live state accepts: a limit (deadline included), a handoff, an internal failure. */
const ENDINGS = { limit: 'failed', handoff: 'handed_off', fail: 'failed' } as const satisfies Partial<Record<QueryEvent, QueryState>>;

const TRANSITIONS: Record<QueryState, Partial<Record<QueryEvent, QueryState>>> = {
  idle: { start: 'reasoning', ...ENDINGS },
  reasoning: { propose_answer: 'completed', propose_tools: 'acting', reject_output: 'reasoning', loop_critical: 'loop_detected', ...ENDINGS },
  // While tools run nothing is decided about loops; the observation is checked in `observing`.
  acting: { tools_done: 'observing', ...ENDINGS },
  // `start` begins the next turn after the observations were recorded.
  observing: { start: 'reasoning', loop_critical: 'loop_detected', ...ENDINGS },
  completed: {},
  failed: {},
  loop_detected: {},
  handed_off: {},
};

export type TransitionResult = { ok: true; to: QueryState } | { ok: false; error: string };

export function transition(from: QueryState, event: QueryEvent): TransitionResult {
  const to = TRANSITIONS[from][event];
  if (to !== undefined) return { ok: true, to };
  if (isTerminal(from)) return { ok: false, error: `query already ended (${from}); event ${event} ignored` };
  return { ok: false, error: `event ${event} is not allowed in state ${from}` };
}

/** A step that the table does not allow: a bug in the caller, so it is never retried. */
export class IllegalTransitionError extends StewardError {
  constructor(message: string) {
    super('illegal_transition', message, { kind: 'internal', retryable: false });
  }
}

/** The state reached by `events` from `from`; throws IllegalTransitionError on any illegal step. */
export function follow(from: QueryState, ...events: QueryEvent[]): QueryState {
  let at = from;
  for (const e of events) {
    const r = transition(at, e);
    if (!r.ok) throw new IllegalTransitionError(r.error);
    at = r.to;
  }
  return at;
}

export function isTerminal(state: QueryState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** Events `state` accepts (for debugging and the trace). */
export function allowedEvents(state: QueryState): QueryEvent[] {
  return QUERY_EVENTS.filter((e) => TRANSITIONS[state][e] !== undefined);
}

/** The event that ends a query for a given reason: the controller maps its EndReason through this. */
export function endEventFor(reason: EndReason): QueryEvent {
  switch (reason) {
    case 'answered':
      return 'propose_answer';
    case 'loop_detected':
      return 'loop_critical';
    case 'handoff':
      return 'handoff';
    case 'max_turns':
    case 'deadline':
    case 'tool_limit':
    case 'token_budget':
    case 'cost_budget':
      return 'limit';
    case 'llm_unavailable':
    case 'model_fault':
    case 'error':
    case 'superseded':
      return 'fail';
  }
}
