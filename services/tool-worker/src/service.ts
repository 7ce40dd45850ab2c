import type { Worker } from 'bullmq';
import { DEFAULTS, type JobLockSettings, type RetentionSettings } from '@steward/core';
import { warmUpTokenizer } from '@steward/context';
import { stepDeps, type StepRules } from '@steward/steps';
import { ToolCache, ToolSlots, openStore, startWorker, type Log } from '@steward/store';
import type { ToolRegistry } from '@steward/tools';
import type { ShopInvoker, ToolWorkerDeps } from './deps.ts';
import { CallBudget } from './call-budget.ts';
import { IdentityAttempts, type IdentityLimits } from './identity-attempts.ts';
import { processCall } from './process-call.ts';

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
  const worker = startWorker('tools', (t, job, token) => processCall(deps, t, job, token), {
    connection: redis,
    prefix: o.prefix,
    log: o.log,
    // A call's first reads include its query: read in the prelude's script (which reads the
    // conversation's names anyway), not by an HGETALL beside the call's other reads.
    preloadQuery: true,
    concurrency,
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
