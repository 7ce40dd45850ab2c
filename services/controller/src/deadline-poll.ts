import { DEFAULTS, errorMessage } from '@steward/core';
import { crashPoint, Deadlines } from '@steward/store';
import type { StepDeps } from '@steward/steps';
import { endAtDeadline } from '@steward/steps';

export interface DeadlinePollOptions {
  /** How often each controller looks for due deadlines. */
  intervalMs: number;
  /** How long a claimed deadline is hidden from the other pollers while this one ends its query. */
  claimMs: number;
  /** At most this many queries per pass (a full pass goes again at once). */
  batch: number;
}

export const DEADLINE_POLL_DEFAULTS: DeadlinePollOptions = { ...DEFAULTS.deadlinePoll };

/**
 * End the running queries whose deadline is at or before `cutoff`: claim them (one script, see
 * @steward/store deadlines.ts), then end each with the deadline fallback. A query that ended
 * meanwhile is a no-op (onDeadline sees it ended, or the completion script refuses a second
 * ending); its leftover entry is dropped. A crash after the claim leaves the entries in the set,
 * due again when the claim runs out: nothing is lost, the deadline fires `claimMs` later.
 */
export async function endDueQueries(
  d: StepDeps,
  o: Pick<DeadlinePollOptions, 'claimMs' | 'batch'>,
  cutoff: number,
  now = Date.now(),
): Promise<{ claimed: number; ended: number }> {
  const deadlines = new Deadlines(d.redis, d.keys);
  const due = await deadlines.claimDue(cutoff, now + o.claimMs, o.batch);
  if (!due.length) return { claimed: 0, ended: 0 };
  crashPoint('deadline.after_claim');
  let ended = 0;
  for (const queryId of due) {
    try {
      const q = await d.queries.get(queryId);
      if (!q || q.status !== 'running') await deadlines.drop(queryId);
      else if (await endAtDeadline(d, q)) ended++;
    } catch (e) {
      // One query's failure must not hold back the others of the pass; its entry stays claimed.
      d.log.warn({ err: errorMessage(e), queryId }, 'ending a query at its deadline failed (retried when its claim runs out)');
    }
  }
  return { claimed: due.length, ended };
}

/**
 * Every controller polls; each pass claims what it takes, so two controllers never work the same
 * deadline at once, and more controllers only make a deadline fire sooner. The first pass starts
 * at a random point of the interval so the fleet's polls interleave rather than coincide.
 */
export function startDeadlinePoll(d: StepDeps, o: DeadlinePollOptions = DEADLINE_POLL_DEFAULTS): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pass();
    }, ms);
    timer.unref();
  };
  const pass = async () => {
    let again = o.intervalMs;
    try {
      // A full batch may leave more due: the next pass follows at once.
      if ((await endDueQueries(d, o, Date.now())).claimed >= o.batch) again = 0;
    } catch (e) {
      d.log.warn({ err: errorMessage(e) }, 'deadline poll failed (retried next interval)');
    }
    schedule(again);
  };
  schedule(Math.floor(Math.random() * o.intervalMs));
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
