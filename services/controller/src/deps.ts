import type { Redis } from 'ioredis';
import type { ConversationStore, DagStore, Keys, Log, Outbox, QueryStore, Queues } from '@steward/store';
import type { ToolRegistry } from '@steward/tools';
import type { BudgetLimits } from '@steward/llm/ledger';
import type { KernelLimits } from '@steward/control';

/** The controller's per-query limits are the kernel's (one shape for the config and the transitions). */
export type ControllerLimits = KernelLimits;

export interface ControllerDeps {
  redis: Redis;
  keys: Keys;
  queries: QueryStore;
  conversations: ConversationStore;
  dags: DagStore;
  queues: Queues;
  outbox: Outbox;
  registry: ToolRegistry;
  limits: ControllerLimits;
  /** Confirmation before consequential actions (policy, on by default). */
  requireConfirmation: boolean;
  /** Per-conversation token and USD budgets (the cost ledger in Redis). */
  budgets: Partial<BudgetLimits>;
  /** Keep the full transcript (tool steps included) of each conversation: audits, naive prompts. */
  keepTranscript: boolean;
  log: Log;
  now?: () => number;
}
