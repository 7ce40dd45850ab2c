// Crash-point injection for the crash tests: every boundary between load, transition, apply,
// relay and ack calls crashPoint(name). With STEWARD_CRASH_AT=<point>:<n> the process SIGKILLs
// itself the n-th time it passes that point (several, comma-separated). Unset, a call is one
// map lookup: the hook stays in production code so the tests kill the real code paths.

/** Every boundary, in the order a query passes them. The crash test enumerates this list. */
export const CRASH_POINTS = [
  /** ingress: the accept script committed (query started, jobs in the outbox), nothing relayed. */
  'intake.after_accept',
  /** any relay: a job handed to BullMQ, its outbox entry not yet removed. */
  'outbox.after_enqueue',
  'reason.after_load',
  /** the LLM answered; no event, no step taken yet. */
  'reason.after_llm',
  /** the turn's step is taken (or the query had moved on); the reasoning job not yet acknowledged. */
  'reason.before_ack',
  /** the step on a proposal (in the reasoning-worker since ADR 0016; the controller for an older
   * worker's decide job): query re-read, the turn's cost recorded, nothing decided. */
  'decide.after_load',
  /** the transition is computed (pending confirmation written), nothing applied. */
  'decide.after_transition',
  /** a step's script committed (state, DAG, outbox), its jobs not relayed. */
  'apply.after_commit',
  'tool.after_load',
  /** the shop applied a write; its result is not recorded in the DAG. */
  'tool.after_write',
  /** the result is recorded; the dependents not yet enqueued, or (the turn's last) the observe step not yet taken
   * (or taken by the record's script, ADR 0041: nothing after it run yet). */
  'tool.after_record',
  'tool.before_ack',
  /** the observe step (in the tool-worker that runs the turn's last call) is decided, nothing applied: before
   * that call's record script when the job knows every other result (ADR 0041), else after it, the turn loaded. */
  'observe.after_load',
  /** the completion script committed (answer, event, follow-ups, next start), nothing relayed. */
  'complete.after_commit',
  /** a controller job (an older release's deadline, decide or observe) is done; not yet acknowledged.
   * Off a confirmed message's path since ADR 0016/0017: the crash test drives it with a deadline job. */
  'control.before_ack',
  /** a controller's deadline poll claimed due queries (ADR 0027), none of them ended yet.
   * Off a confirmed message's path: the crash test drives it with a query stuck in the model. */
  'deadline.after_claim',
] as const;
export type CrashPointName = (typeof CRASH_POINTS)[number];

const armed = parse(process.env.STEWARD_CRASH_AT);
const passed = new Map<string, number>();

function parse(spec: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of (spec ?? '').split(',')) {
    const [name, n] = part.trim().split(':');
    if (name) out.set(name, Number(n ?? 1) || 1);
  }
  return out;
}

export function crashPoint(point: CrashPointName): void {
  const at = armed.get(point);
  if (at === undefined) return;
  const n = (passed.get(point) ?? 0) + 1;
  passed.set(point, n);
  if (n !== at) return;
  process.stderr.write(`[crash-point] ${point}#${n}: SIGKILL\n`);
  process.kill(process.pid, 'SIGKILL');
}
