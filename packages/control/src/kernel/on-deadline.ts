import { endWith } from './end-with.ts';
import type { QuerySnapshot, Transition } from './transition.ts';

/**
 * The query's wall-clock deadline passed (the controllers' deadline poll, the sweeper, or an
 * older release's deadline job): end it with the deadline fallback from wherever it stands.
 * null: it already ended, or never started.
 */
export function onDeadline(q: QuerySnapshot): Transition | null {
  if (q.status !== 'running') return null;
  return endWith(q, { outcome: 'fallback', reason: 'deadline' }, { events: [{ kind: 'limit', detail: 'deadline', turn: q.turn }] });
}
