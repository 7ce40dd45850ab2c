import { jobIds } from '@steward/core';
import { routeCustomerMessage, type ConversationOwner } from '../handoff-rules.ts';
import { follow } from '../state-machine.ts';
import { endWith } from './end-with.ts';
import { jobSpec, type QuerySnapshot, type Transition } from './transition.ts';

/**
 * How a query starts (idle --start--> reasoning, turn 0): the customer's message joins the
 * conversation, and turn 0 is committed with the step. The store's ACCEPT and COMPLETE scripts
 * start queries exactly so (a store test holds them to this). The deadline is no job: the start
 * script records it on the query (deadlineAtMs) and in the `deadlines` set, which every
 * controller polls (ADR 0027).
 */
export function onStart(q: { queryId: string; text: string }): Transition {
  return {
    from: { state: 'idle', turn: 0 },
    to: { state: follow('idle', 'start'), turn: 0 },
    steps: [{ role: 'user', content: q.text }],
    events: [],
    jobs: [
      jobSpec('reasoning', jobIds.reason(q.queryId, 0), { queryId: q.queryId, turn: 0 }),
    ],
    incr: {},
  };
}

export type Acceptance =
  /** A person owns the conversation: the message goes to them, the agent stays silent. */
  | { route: 'person' }
  /** The conversation is free: the query starts now. */
  | { route: 'agent'; start: Transition }
  /** Another query of the conversation runs: this one waits and starts when that one ends. */
  | { route: 'agent'; queuedBehind: string };

/**
 * An accepted customer message. The accept script applies this decision atomically (it checks
 * the owner and the running query again inside the script and refuses a stale route).
 */
export function onAcceptedMessage(
  s: { owner: ConversationOwner | undefined; activeQueryId: string | null },
  m: { queryId: string; text: string; nowMs: number; deadlineMs: number },
): Acceptance {
  if (routeCustomerMessage(s.owner) === 'person') return { route: 'person' };
  if (s.activeQueryId && s.activeQueryId !== m.queryId) return { route: 'agent', queuedBehind: s.activeQueryId };
  return { route: 'agent', start: onStart(m) };
}

/**
 * A customer message arrived while the conversation's query `running` still runs (or waits).
 * `queue` leaves it alone (the new message is answered after it); `restart` ends it unanswered
 * (reason `superseded`, nothing sent) so the new query, which sees both messages, starts now.
 */
export function onMessageDuringRun(running: QuerySnapshot | null, mode: 'queue' | 'restart'): Transition | null {
  if (mode === 'queue' || !running || (running.status !== 'running' && running.status !== 'queued')) return null;
  return endWith(running, { outcome: 'fallback', reason: 'superseded', answer: '' });
}
