import type { Worker } from 'bullmq';
import { DEFAULTS, type JobLockSettings, type RetentionSettings } from '@steward/core';
import { warmUpTokenizer } from '@steward/context';
import { stepDeps, type StepRules } from '@steward/steps';
import { ToolCache, ToolSlots, openStore, startWorker, type DagStart, type Log } from '@steward/store';
import type { ToolRegistry } from '@steward/tools';
import type { ShopInvoker, ToolWorkerDeps } from './deps.ts';
import { CallBudget } from './call-budget.ts';
import { IdentityAttempts, type IdentityLimits } from './identity-attempts.ts';
import { processCall, startCall } from './process-call.ts';

export interface ToolWorkerOptions {
  redisUrl: string;
  prefix: string;
  registry: ToolRegistry;
  shop: ShopInvoker;
  log: Log;
  concurrency?: number;
  jobLocks?: JobLockSettings;
  retention?: RetentionSettings;
  toolTimeoutMs?: number;
  /** Failed identity verifications allowed per conversation / principal (default IDENTITY_LIMITS). */
  identityLimits?: Partial<IdentityLimits>;
  /**
   * The rules of a query's step (limits, confirmation, budgets, transcript): the controller's
   * section of the configuration (`cfg.controller`), so the observe step taken here ends and
   * continues queries exactly as the controller would.
   */
  steps?: StepRules;
}

export interface RunningToolWorker {
  deps: ToolWorkerDeps;
  worker: Worker;
  close(): Promise<void>;
}

/** The tool-worker role: one tool call per job from the `tools` queue. */
export async function startToolWorker(o: ToolWorkerOptions): Promise<RunningToolWorker> {
  // A turn's last result may end the query here (last turn, critical loop), and the ending folds
  // the conversation into its summary, which counts tokens.
  warmUpTokenizer();
  const store = openStore(o.redisUrl, o.prefix, o.retention);
  const concurrency = o.concurrency ?? 50;
  const budget = new CallBudget(concurrency);
  const { redis, keys } = store;
  const deps: ToolWorkerDeps = {
    ...store,
    cache: new ToolCache(redis, keys),
    slots: new ToolSlots(redis, keys),
    identity: new IdentityAttempts(redis, keys, o.identityLimits),
    registry: o.registry,
    shop: o.shop,
    toolTimeoutMs: o.toolTimeoutMs ?? DEFAULTS.toolTimeoutMs,
    budget,
    log: o.log,
    steps: stepDeps(store, o.registry, o.log, o.steps),
  };
  const worker = startWorker<'tools', DagStart>('tools', (t, job, token, start) => processCall(deps, t, job, token, start), {
    connection: redis,
    prefix: o.prefix,
    log: o.log,
    concurrency,
    // A call's reads (its query in the prelude's script, the rest beside it) come back in the
    // job's first round trip: they went out one trip after the prelude, on every call's path.
    // The start script also claims the turn's other roots for the first root job to start (a
    // write, not only a read: it logs nothing, and a job whose start failed is retried, and its
    // retry enqueues what the lost reply had claimed; see startCall).
    preloadQuery: true,
    prefetch: (t) => startCall(deps, t),
    ...(o.jobLocks ? { jobLocks: o.jobLocks } : {}),
  });
  budget.attach(worker);
  await worker.waitUntilReady();
  return {
    deps,
    worker,
    async close() {
      await worker.close();
      await store.close();
    },
  };
}
