import type { JobSpec, KernelRules, Transition } from '@steward/control';
import { addsInScript, applyStep, memberOf, type AdvanceInput, type QueryRecord } from '@steward/store';
import { completeQuery } from './complete.ts';
import { decision } from './decision.ts';
import type { StepDeps } from './deps.ts';

/** The rules the kernel's transitions apply, from the controller's one configuration. */
export function rulesOf(d: Pick<StepDeps, 'limits' | 'requireConfirmation' | 'registry'>): KernelRules {
  return { limits: d.limits, requireConfirmation: d.requireConfirmation, tools: d.registry };
}

/**
 * Apply one kernel transition: its decisions go on the trace, then one script commits the step
 * (state, scratchpad, history, DAG, pending confirmation, outbox jobs) or the ending (answer,
 * completion event, follow-up jobs, the next queued query's start), and the jobs are relayed.
 * The decision events are observational and carry deterministic ids, so a redelivered step
 * that emits them again is de-duplicated by their readers. `hold`: outbox members committed with
 * the step but not relayed (the caller takes that job's step in place; see decide.ts).
 */
export async function applyTransition(d: StepDeps, q: QueryRecord, t: Transition, hold: readonly string[] = []): Promise<'applied' | 'moved' | 'ended'> {
  for (const e of t.events) await decision(d, q, e.turn, e.kind, e.detail);
  if (t.completion) {
    // Observations of the last turn are recorded first (a critical loop ends from `observing`).
    if (t.recordAt) {
      await d.queries.advance(q.queryId, { from: t.from, to: t.recordAt, steps: t.steps, ...(t.history ? { history: t.history } : {}) });
    }
    return (await completeQuery(d, q, t)) ? 'applied' : 'ended';
  }
  const jobs = stepJobs(t, hold);
  return applyStep(d, q.queryId, advanceInputOf(t, jobs), jobs.relay);
}

/**
 * Where a step's jobs go: added to BullMQ by the step's own script (ADR 0040), or, held for the
 * caller's own step or delayed, committed to the outbox; `relay`: those outbox members to relay
 * once the step applied (the delayed ones; a held one stays for the caller, or the sweeper).
 */
export function stepJobs(t: Pick<Transition, 'jobs'>, hold: readonly string[] = []): { add: JobSpec[]; outbox: string[]; relay: string[] } {
  const add: JobSpec[] = [];
  const outbox: string[] = [];
  const relay: string[] = [];
  for (const j of t.jobs) {
    // A job's member JSON only where it is compared or stored (nothing is held on most steps).
    const held = hold.length > 0 && hold.includes(memberOf(j));
    if (!held && addsInScript(j)) add.push(j);
    else {
      const m = memberOf(j);
      outbox.push(m);
      if (!held) relay.push(m);
    }
  }
  return { add, outbox, relay };
}

/** The ADVANCE input of a transition that does not end the query, with its jobs as stepJobs placed them. */
export function advanceInputOf(t: Transition, jobs: Pick<ReturnType<typeof stepJobs>, 'add' | 'outbox'>, nowMs?: number): AdvanceInput {
  return {
    from: t.from,
    to: t.to,
    incr: t.incr,
    steps: t.steps,
    ...(t.history ? { history: t.history } : {}),
    ...(t.set ? { set: t.set } : {}),
    ...(t.dag ? { dag: t.dag } : {}),
    ...(t.conversation ? { conversation: t.conversation } : {}),
    jobs: jobs.outbox,
    add: jobs.add,
    ...(nowMs !== undefined ? { nowMs } : {}),
  };
}
