import type { Redis } from 'ioredis';
import type { ShopToolRequest, ShopToolResponse } from '@steward/core';
import type { ConversationStore, DagStore, Keys, Log, QueryStore, Queues, ToolCache, ToolSlots } from '@steward/store';
import type { ToolRegistry } from '@steward/tools';
import type { StepDeps } from '@steward/steps';
import type { CallBudget } from './call-budget.ts';
import type { IdentityAttempts } from './identity-attempts.ts';

export interface ShopInvoker {
  invoke(name: string, req: ShopToolRequest, opts?: { signal?: AbortSignal }): Promise<ShopToolResponse>;
}

export interface ToolWorkerDeps {
  redis: Redis;
  keys: Keys;
  queries: QueryStore;
  conversations: ConversationStore;
  dags: DagStore;
  queues: Queues;
  cache: ToolCache;
  slots: ToolSlots;
  registry: ToolRegistry;
  shop: ShopInvoker;
  toolTimeoutMs: number;
  /** Calls this worker runs at once, in place included (see call-budget.ts). */
  budget: CallBudget;
  log: Log;
  /** Limits failed identity verifications; absent = no limit (unit tests of other concerns). */
  identity?: IdentityAttempts;
  /**
   * The query's step after the turn's last result (observe), taken here where that result lands
   * instead of by the controller behind a job: the same store and the controller's rules.
   */
  steps: StepDeps;
}
