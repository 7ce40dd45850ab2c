import type { Worker } from 'bullmq';
import { DEFAULTS } from '@steward/core';
import { ConversationStore, DagStore, QueryStore, ToolCache, ToolSlots, createKeys, createQueues, createRedis, startWorker, type Log } from '@steward/store';
import type { ToolRegistry } from '@steward/tools';
import type { ShopInvoker, ToolWorkerDeps } from './deps.ts';
import { processCall } from './process-call.ts';

export interface ToolWorkerOptions {
  redisUrl: string;
  prefix: string;
  registry: ToolRegistry;
  shop: ShopInvoker;
  log: Log;
  concurrency?: number;
  toolTimeoutMs?: number;
}

export interface RunningToolWorker {
  deps: ToolWorkerDeps;
  worker: Worker;
  close(): Promise<void>;
}

/** The tool-worker role: one tool call per job from the `tools` queue. */
export async function startToolWorker(o: ToolWorkerOptions): Promise<RunningToolWorker> {
  const redis = createRedis(o.redisUrl);
  const keys = createKeys(o.prefix);
  const queues = createQueues(redis, o.prefix);
  const deps: ToolWorkerDeps = {
    redis,
    keys,
    queries: new QueryStore(redis, keys),
    conversations: new ConversationStore(redis, keys),
    dags: new DagStore(redis, keys),
    queues,
    cache: new ToolCache(redis, keys),
    slots: new ToolSlots(redis, keys),
    registry: o.registry,
    shop: o.shop,
    toolTimeoutMs: o.toolTimeoutMs ?? DEFAULTS.toolTimeoutMs,
    log: o.log,
  };
  const worker = startWorker('tools', (t, job, token) => processCall(deps, t, job, token), {
    connection: redis,
    prefix: o.prefix,
    log: o.log,
    concurrency: o.concurrency ?? 50,
  });
  await worker.waitUntilReady();
  return {
    deps,
    worker,
    async close() {
      await worker.close();
      await queues.close();
      redis.disconnect();
    },
  };
}
