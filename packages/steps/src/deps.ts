import type { Redis } from 'ioredis';
import { DEFAULTS } from '@steward/core';
import type { ConversationStore, DagStore, Keys, Log, Outbox, QueryStore, Queues } from '@steward/store';
import type { ToolRegistry } from '@steward/tools';
import type { BudgetLimits } from '@steward/llm/ledger';
import type { KernelLimits } from '@steward/control';

/** A query's limits are the kernel's (one shape for the config and the transitions). */
export type StepLimits = KernelLimits;

export const DEFAULT_LIMITS: StepLimits = {
  maxTurns: DEFAULTS.maxTurns,
  deadlineMs: DEFAULTS.deadlineMs,
  maxToolCallsPerQuery: DEFAULTS.maxToolCallsPerQuery,
  maxToolCallsPerTurn: DEFAULTS.maxToolCallsPerTurn,
  tokenBudget: 0,
  costBudgetUsd: 0,
  historyVerbatimMessages: DEFAULTS.historyVerbatimMessages,
};

/**
 * The rules every role that takes a query's step applies (the controller, and the workers that
 * decide where their input arrives): one section of the configuration (`cfg.controller`), so
 * every role applies the same limits, confirmation policy and budgets.
 */
export interface StepRules {
  limits?: Partial<StepLimits>;
  /** Confirmation before consequential actions (policy, on by default). */
  requireConfirmation?: boolean;
  /** Per-conversation token and USD budgets (the cost ledger in Redis). */
  budgets?: Partial<BudgetLimits>;
  /** Keep the full transcript (tool steps included) of each conversation: audits, naive prompts. */
  keepTranscript?: boolean;
}

export interface StepDeps {
  redis: Redis;
  keys: Keys;
  queries: QueryStore;
  conversations: ConversationStore;
  dags: DagStore;
  queues: Queues;
  outbox: Outbox;
  registry: ToolRegistry;
  limits: StepLimits;
  /** Confirmation before consequential actions (policy, on by default). */
  requireConfirmation: boolean;
  /** Per-conversation token and USD budgets (the cost ledger in Redis). */
  budgets: Partial<BudgetLimits>;
  /** Keep the full transcript (tool steps included) of each conversation: audits, naive prompts. */
  keepTranscript: boolean;
  log: Log;
  now?: () => number;
}

type Store = Pick<StepDeps, 'redis' | 'keys' | 'queries' | 'conversations' | 'dags' | 'queues' | 'outbox'>;

/** The step dependencies of a role: its store, its registry and log, and the rules with their defaults. */
export function stepDeps(store: Store, registry: ToolRegistry, log: Log, rules: StepRules = {}): StepDeps {
  return {
    redis: store.redis,
    keys: store.keys,
    queries: store.queries,
    conversations: store.conversations,
    dags: store.dags,
    queues: store.queues,
    outbox: store.outbox,
    registry,
    limits: { ...DEFAULT_LIMITS, ...rules.limits },
    requireConfirmation: rules.requireConfirmation ?? true,
    budgets: rules.budgets ?? {},
    keepTranscript: rules.keepTranscript ?? false,
    log,
  };
}
