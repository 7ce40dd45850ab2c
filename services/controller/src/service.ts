import type { Worker } from 'bullmq';
import type { JobLockSettings, RetentionSettings } from '@steward/core';
import { handleDeadline, handleDecide, handleObserve, stepDeps, type StepDeps, type StepLimits } from '@steward/steps';
import { warmUpTokenizer } from '@steward/context';
import { crashPoint, openStore, startWorker, type Log } from '@steward/store';
import type { ToolRegistry } from '@steward/tools';
import type { BudgetLimits } from '@steward/llm/ledger';
import { handleHandoff } from './handoff.ts';
import { DEADLINE_POLL_DEFAULTS, startDeadlinePoll, type DeadlinePollOptions } from './deadline-poll.ts';
import { startSweeper, SWEEPER_DEFAULTS, type SweeperOptions } from './sweeper.ts';

export interface ControllerOptions {
  redisUrl: string;
  prefix: string;
  registry: ToolRegistry;
  log: Log;
  concurrency?: number;
  jobLocks?: JobLockSettings;
  retention?: RetentionSettings;
  limits?: Partial<StepLimits>;
  requireConfirmation?: boolean;
  budgets?: Partial<BudgetLimits>;
  keepTranscript?: boolean;
  /** The outbox relay and deadline sweeper (false = off, for tests that drive it by hand). */
  sweeper?: Partial<SweeperOptions> | false;
  /** The query deadlines' timer (false = off, for tests that drive it by hand). */
  deadlinePoll?: Partial<DeadlinePollOptions> | false;
}

export interface RunningController {
  deps: StepDeps;
  workers: Worker[];
  close(): Promise<void>;
}

/**
 * The controller role: the query deadlines (the `deadlines` set's poll), the `control` queue
 * (observe, and decide and deadline jobs an older release queued) and the `handoff` queue.
 */
export async function startController(o: ControllerOptions): Promise<RunningController> {
  // The rolling summary counts tokens.
  warmUpTokenizer();
  const store = openStore(o.redisUrl, o.prefix, o.retention);
  const { redis } = store;
  const deps = stepDeps(store, o.registry, o.log, o);
  // Every handler here starts by loading its query: the job's prelude reads it with the
  // conversation's names, in one round trip (job-prelude.ts in @steward/store).
  const common = { connection: redis, prefix: o.prefix, log: o.log, preloadQuery: true, ...(o.jobLocks ? { jobLocks: o.jobLocks } : {}) };
  const control = startWorker(
    'control',
    async (job) => {
      // Deadline jobs are no longer queued (ADR 0027); one an older release left still ends its query.
      if (job.type === 'deadline') await handleDeadline(deps, job);
      else if (job.type === 'decide') await handleDecide(deps, job);
      else await handleObserve(deps, job);
      crashPoint('control.before_ack');
    },
    { ...common, concurrency: o.concurrency ?? 50 },
  );
  const handoff = startWorker('handoff', (job) => handleHandoff(deps, job), { ...common, concurrency: 5 });
  const workers = [control, handoff];
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  const sweeper = o.sweeper === false ? null : startSweeper(deps, { ...SWEEPER_DEFAULTS, ...o.sweeper });
  const deadlinePoll = o.deadlinePoll === false ? null : startDeadlinePoll(deps, { ...DEADLINE_POLL_DEFAULTS, ...o.deadlinePoll });
  return {
    deps,
    workers,
    async close() {
      await Promise.all([sweeper?.stop(), deadlinePoll?.stop()]);
      await Promise.all(workers.map((w) => w.close()));
      await store.close();
    },
  };
}
