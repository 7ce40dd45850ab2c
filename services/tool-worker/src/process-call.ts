import { DelayedError, type Job } from 'bullmq';
import { errorMessage, jobIds, type ToolJob } from '@steward/core';
import { DAG_SUPERSEDED, crashPoint, dispatchTurn, runWithPreloadedQuery, type DagProgress, type DagStart, type QueryRecord } from '@steward/store';
import { runsTools } from '@steward/control';
import { handleObserve } from '@steward/steps';
import type { Run } from './call-run.ts';
import type { ToolWorkerDeps } from './deps.ts';
import { release, runAndRecord } from './record-call.ts';
import { TurnResults } from './turn-results.ts';

const SLOT_RETRY_MS = 20;
/** A call run in place that failed transiently gets its own job, after the tools queue's first backoff. */
const IN_PLACE_RETRY_MS = 200;
/** Other calls of its turn a starting job may claim to run beside its own, at most (slots permitting). */
const MAX_BESIDE = 8;


/**
 * The job id of a root a sibling's job claimed (DAG_START), when it is enqueued after all (no
 * slot, a transient failure, the claimant's redelivery): not the root's own id, whose job left it
 * (and is kept a while after completing, so an add under that id would be dropped).
 */
export function claimedRootJobId(c: ToolJob): string {
  // Three parts, as BullMQ requires of an id with colons: `<queryId>:t<turn>:k<index>`.
  return `${c.queryId}:t${c.turn}:k${c.index}`;
}

/**
 * The job's start, in the job's first round trip (startWorker's prefetch, beside the prelude):
 * one script reads what the call reads before it runs (its recorded result, its customer, the
 * results it depends on), and the first job to start a call of the turn claims the turn's other
 * roots that nobody claimed, to run beside its own call while the worker has slots: they start
 * now instead of one BullMQ fetch apart each. The slots are reserved first; those the script did
 * not use go back at once, those it did go to the calls run beside (processCall).
 */
export async function startCall(d: ToolWorkerDeps, t: ToolJob): Promise<DagStart> {
  const room = d.budget.reserve(MAX_BESIDE);
  let used = 0;
  try {
    const start = await d.dags.start(t.queryId, t.turn, t.index, t.conversationId, t.dependsOn ?? [], room);
    used = start.beside.length;
    return start;
  } finally {
    for (let k = used; k < room; k++) d.budget.give();
  }
}

/**
 * One tool call of one turn. The result is recorded in the turn's DAG exactly once; the
 * calls waiting on it are released and, after the turn's last call, the query's observe step
 * is taken here (no job for the controller: see observeTurn).
 * The turn's first root job to start also runs the other roots it claimed (startCall) beside its
 * call; a root's own job that finds its call claimed by another job leaves it (the claimant's
 * job is its durable record). A released dependent runs at once in this job (no queue hop on the
 * turn's critical path); any further one runs beside it while the worker has slots, else it is
 * enqueued. A redelivered job whose result is already recorded only repeats the release,
 * enqueuing what it had claimed and not finished (idempotent: deterministic job ids); one whose
 * result is not recorded runs its call again and enqueues what it had claimed and not finished.
 * Returns `{ leftTo }` (the job's return value) when it left its call to another job.
 */
export async function processCall(d: ToolWorkerDeps, t: ToolJob, job: Job, token?: string, started?: DagStart): Promise<{ leftTo: number } | undefined> {
  d.budget.jobStarted();
  let beside = started?.beside.length ?? 0;
  try {
    const start = started ?? (await startCall(d, t));
    beside = start.beside.length;
    // The prelude read the query (no round trip here).
    const q = await d.queries.get(t.queryId);
    // The lock this run holds: the job running a chain may be taken over while its worker is
    // stopped past the lock (SIGSTOP, a paused VM); its recordings are then refused, not run twice.
    const lock = token && job.id ? { key: `${job.queueQualifiedName}:${job.id}:lock`, token } : undefined;
    if (start.claimedFromJob && start.claim !== undefined && start.claim !== t.index && job.id === jobIds.toolCall(t.queryId, t.turn, t.index)) {
      // A sibling root's job claimed this call and runs it (or its redelivery enqueues it under
      // claimedRootJobId): nothing to do here. The script claimed nothing for this job.
      return { leftTo: start.claim };
    }
    // The turn's results this job will know, when it claimed its own call now (ADR 0041).
    const turn = q && start.turn ? new TurnResults(start.turn) : undefined;
    const chain = { owner: t.index, lock, ...(turn ? { turn } : {}) };
    // The claimed roots, each in a slot startCall reserved (runInPlace gives it back).
    const inPlace = q ? start.beside.map((c) => runInPlace(d, c.job, chain, true, true, { q, customerId: start.customerId, deps: c.deps })) : [];
    if (!q) for (let k = 0; k < beside; k++) d.budget.give();
    beside = 0;
    const besideDone = Promise.allSettled(inPlace);
    const done = await Promise.allSettled([
      runCall(d, t, {
        ...chain,
        read: { start, q },
        lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
        async later() {
          // Not before the calls run beside it have ended: the job, back from the delay, would
          // take those still unfinished for a dead runner's and enqueue them.
          await besideDone;
          await job.moveToDelayed(Date.now() + SLOT_RETRY_MS, token);
          throw new DelayedError();
        },
        retry(e) {
          throw e;
        },
      }),
      enqueueClaimed(d, start.unfinished),
      ...inPlace,
    ]);
    // Settled, not raced: a failure fails this job (its repeat enqueues what is unfinished), and
    // that must wait until no call of it is still running here. The job's own failure first
    // (a DelayedError among them).
    const failed = done.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    crashPoint('tool.before_ack');
    return undefined;
  } finally {
    // Slots of claimed calls never started (the start script or the query's read failed).
    for (let k = 0; k < beside; k++) d.budget.give();
    d.budget.jobEnded();
  }
}

/** Enqueue calls this job claimed and does not run: a claimed root under its own id (see claimedRootJobId). */
async function enqueueClaimed(d: ToolWorkerDeps, calls: readonly { job: ToolJob; claimedFromJob: boolean }[]): Promise<void> {
  await Promise.all(calls.map((c) => d.queues.add('tools', c.claimedFromJob ? claimedRootJobId(c.job) : jobIds.toolCall(c.job.queryId, c.job.turn, c.job.index), c.job)));
}

async function runCall(d: ToolWorkerDeps, t: ToolJob, run: Run): Promise<void> {
  const spec = d.registry.get(t.name);
  // A call run in place has its reads from the script that released or claimed it (fresh: claimed
  // by it, so no result yet); a job, from its start script, sent with its prelude (startCall).
  const { recorded, customerId, deps, q } = run.loaded
    ? { recorded: undefined, ...run.loaded }
    : { recorded: run.read!.start.recorded, customerId: run.read!.start.customerId, deps: run.read!.start.deps, q: run.read!.q };
  crashPoint('tool.after_load');
  if (recorded) return carryOn(d, t, q, await release(d, t, recorded, run), run, false);

  // The query ended (deadline, loop): nothing may change on its behalf any more.
  if (!q || !runsTools(q)) return;

  // Per-tool concurrency cap, fleet-wide: over it, the call waits a moment and comes back.
  const holder = jobIds.toolCall(t.queryId, t.turn, t.index);
  if (spec?.maxConcurrency && !(await d.slots.acquire(spec.name, holder, spec.maxConcurrency, spec.timeoutMs ?? d.toolTimeoutMs))) return run.later();
  let progress: DagProgress | undefined;
  try {
    progress = await runAndRecord(d, t, run, q, spec, { customerId, deps });
  } finally {
    if (spec?.maxConcurrency) await d.slots.release(spec.name, holder);
  }
  if (progress) await carryOn(d, t, q, progress, run, true);
}

/**
 * After a recorded result: the observe step when the turn is done; else the released dependents.
 * Fresh from this run, the first runs here in this job's slot and the others beside it while the
 * worker has slots (the rest are enqueued). On a repeat everything is enqueued: the runner that
 * claimed those calls died, and one of them may have been enqueued already (the id dedupes it).
 */
async function carryOn(d: ToolWorkerDeps, t: ToolJob, q: QueryRecord | null, progress: DagProgress, run: Run, fresh: boolean): Promise<void> {
  const loaded = progress.loaded;
  // This run's job was taken over while it ran (its worker stopped past the lock): the job's new
  // holder runs this call again and carries the turn on; nothing was recorded here.
  if (progress.left === DAG_SUPERSEDED) {
    d.log.warn({ queryId: t.queryId, turn: t.turn, index: t.index }, 'tool call result not recorded: its job was taken over by another worker');
    return;
  }
  // The turn's last record: its observe step was applied by the record's script, or is taken now.
  if (progress.left === 0) return progress.observed ? undefined : observeTurn(d, t, progress);
  // Roots claimed from their own job (DAG_START) come back only on a repeat: enqueued under another id.
  const roots = new Set(progress.claimedRoots ?? []);
  if (!fresh || !q || !loaded || progress.jobs.length === 0) {
    const [claimed, released] = [progress.jobs.filter((c) => roots.has(c.index)), progress.jobs.filter((c) => !roots.has(c.index))];
    await Promise.all([
      dispatchTurn(d.queues, t.queryId, t.turn, { ...progress, jobs: released }, t.conversationId),
      enqueueClaimed(d, claimed.map((job) => ({ job, claimedFromJob: true }))),
    ]);
    return;
  }
  // Ended while this call ran (deadline, loop): its dependents would find it so and do nothing.
  if (!loaded.running) return;
  const calls = progress.jobs.map((c, k) => ({ c, deps: loaded.deps[k] ?? [] }));
  const [first, ...rest] = calls;
  const beside = rest.filter(() => d.budget.take());
  const queued = rest.filter((x) => !beside.includes(x)).map((x) => x.c);
  const inPlace = (x: (typeof calls)[number], ownSlot: boolean) => runInPlace(d, x.c, run, ownSlot, roots.has(x.c.index), { q, customerId: loaded.customerId, deps: x.deps });
  // Settled, not raced: a failure fails this job (its repeat enqueues what is unfinished), and
  // that must wait until no call of it is still running here.
  const done = await Promise.allSettled([
    dispatchTurn(d.queues, t.queryId, t.turn, { ...progress, jobs: queued.filter((c) => !roots.has(c.index)) }, t.conversationId),
    enqueueClaimed(d, queued.filter((c) => roots.has(c.index)).map((job) => ({ job, claimedFromJob: true }))),
    inPlace(first!, false),
    ...beside.map((x) => inPlace(x, true)),
  ]);
  const failed = done.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * The turn's last result is recorded: take the query's observe step in this job (load the turn,
 * the kernel's onTurnDone with its loop detection and limits, one apply script that commits the
 * step and the next reasoning job), where a job on the control queue and a controller's take of
 * it used to sit on every tool turn's critical path. Exactly once per turn: only the recording
 * that left no call pending gets here fresh (the DAG script counts atomically); a redelivered job
 * whose result was recorded gets here again, and so may a concurrent repeat of another call of
 * the turn: the step is idempotent (awaitsObservation, and the apply script's compare-and-set on
 * the state it moves from), so a second take changes nothing. A failure fails this job, whose
 * retry finds its result recorded and takes the step again. The step reads nothing itself: the
 * script that recorded the result returned the query, the turn's results, the scratchpad, the
 * loop history and the working memory (one snapshot, at the moment the turn ended).
 */
async function observeTurn(d: ToolWorkerDeps, t: ToolJob, progress: DagProgress): Promise<void> {
  const job = { type: 'observe' as const, queryId: t.queryId, turn: t.turn, conversationId: t.conversationId };
  const turn = progress.turn;
  if (!turn) return handleObserve(d.steps, job);
  const { query, ...ended } = turn;
  await runWithPreloadedQuery(d.keys.query(t.queryId), query, () => handleObserve(d.steps, job, ended));
}

async function runInPlace(d: ToolWorkerDeps, c: ToolJob, chain: Pick<Run, 'owner' | 'lock' | 'turn'>, ownSlot: boolean, claimedRoot: boolean, loaded: NonNullable<Run['loaded']>): Promise<void> {
  // Its own job, when it cannot run now: then the queue carries it like any other call (a root
  // claimed from its own job under another id: that job left it).
  const id = claimedRoot ? claimedRootJobId(c) : jobIds.toolCall(c.queryId, c.turn, c.index);
  const enqueue = (delay: number) => d.queues.add('tools', id, c, { delay });
  try {
    await runCall(d, c, {
      owner: chain.owner,
      lock: chain.lock,
      ...(chain.turn ? { turn: chain.turn } : {}),
      lastAttempt: false,
      loaded,
      later: () => enqueue(SLOT_RETRY_MS),
      async retry(e) {
        d.log.warn({ queryId: c.queryId, tool: c.name, err: errorMessage(e) }, 'tool call failed in place; enqueued for a retry');
        await enqueue(IN_PLACE_RETRY_MS);
      },
    });
  } finally {
    if (ownSlot) d.budget.give();
  }
}
