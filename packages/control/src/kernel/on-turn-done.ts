import { jobIds, type ChatMessage } from '@steward/core';
import { detectLoop } from '../detect-loop.ts';
import type { LoopTurn } from '../loop-types.ts';
import { follow } from '../state-machine.ts';
import type { CallResult } from './call-result.ts';
import { endWith } from './end-with.ts';
import { loopTurn } from './loop-history.ts';
import { hasEnded, jobSpec, type KernelRules, type QuerySnapshot, type Transition } from './transition.ts';

export interface TurnSnapshot {
  query: QuerySnapshot;
  /** The turn's results by call index (undefined: the call has not ended). */
  results: readonly (CallResult | undefined)[];
  /** Calls of the turn not yet ended, as the DAG counts them. */
  left: number;
  /** The arguments of the turn's calls by index, as the model proposed them. */
  proposedArgs: readonly Record<string, unknown>[];
  /** The query's loop-detection history before this turn. */
  history: readonly LoopTurn[];
}

/** Every call of the turn has a result (observe before that is a bug upstream: nothing to do). */
export function turnEnded(s: Pick<TurnSnapshot, 'results' | 'left'>): boolean {
  return s.left === 0 && s.results.every((r) => r !== undefined);
}

/** The query waits for this turn's observations (else the observe job is a stale redelivery). */
export function awaitsObservation(q: Pick<QuerySnapshot, 'status' | 'state' | 'turn'>, turn: number): boolean {
  return !hasEnded(q) && q.state === 'acting' && q.turn === turn;
}

/**
 * All calls of a turn have ended: record their results, look for loops, and start the next turn
 * (acting → observing → reasoning), or end the query on a critical loop or the last turn.
 * null: a redelivered observe for a turn that already moved on, or a turn not ended yet.
 */
export function onTurnDone(s: TurnSnapshot, job: { turn: number }, r: KernelRules): Transition | null {
  const q = s.query;
  if (!awaitsObservation(q, job.turn) || !turnEnded(s)) return null;
  const done = s.results as CallResult[];
  const steps: ChatMessage[] = done.map((c) => ({ role: 'tool', tool_call_id: c.callId, content: c.result }));
  const entries = [loopTurn(done, s.proposedArgs)];
  const loop = detectLoop([...s.history, ...entries], { maxToolCalls: r.limits.maxToolCallsPerQuery });
  const detail = loop.findings.map((f) => `${f.detector}: ${f.message}`).join('; ');
  const next = job.turn + 1;

  if (loop.level === 'critical') {
    // The observations are recorded (observing), then the loop ends the query from there.
    const observing = follow(q.state, 'tools_done');
    const end = endWith(q, { outcome: 'fallback', reason: 'loop_detected' }, { at: observing, events: [{ kind: 'loop_critical', detail, turn: job.turn }] });
    return { ...end, steps, history: entries, recordAt: { state: observing, turn: job.turn } };
  }
  if (next >= r.limits.maxTurns) return endWith(q, { outcome: 'fallback', reason: 'max_turns' });
  return {
    from: { state: q.state, turn: job.turn },
    to: { state: follow(q.state, 'tools_done', 'start'), turn: next },
    steps,
    events: loop.level === 'warning' ? [{ kind: 'loop_warning', detail, turn: job.turn }] : [],
    jobs: [jobSpec('reasoning', jobIds.reason(q.queryId, next), { queryId: q.queryId, turn: next })],
    incr: {},
    history: entries,
    set: { nudge: loop.level === 'warning' ? (loop.nudge ?? '') : '' },
  };
}
