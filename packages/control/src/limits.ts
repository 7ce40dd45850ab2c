import { DEFAULTS, type EndReason } from '@steward/core';

export type LimitReason = Extract<EndReason, 'max_turns' | 'deadline' | 'tool_limit' | 'token_budget' | 'cost_budget'>;

/** Where a query stands; the controller checks it before each turn and before each tool DAG. */
export interface QueryUsage {
  /** 0-based index of the turn about to start (turns done so far). */
  turn: number;
  startedMs: number;
  nowMs: number;
  /** Tool calls of the query, including the ones about to be dispatched. */
  toolCalls: number;
  /** LLM tokens spent by the query so far, input + output. */
  tokens: number;
  costUsd: number;
}

export interface QueryLimits {
  maxTurns: number;
  deadlineMs: number;
  maxToolCalls: number;
  /** No budget when undefined. */
  maxTokens?: number;
  maxCostUsd?: number;
}

export const DEFAULT_LIMITS: QueryLimits = {
  maxTurns: DEFAULTS.maxTurns,
  deadlineMs: DEFAULTS.deadlineMs,
  maxToolCalls: DEFAULTS.maxToolCallsPerQuery,
};

/**
 * The first limit the query has tripped, or null. Checked in this order: max_turns, deadline,
 * tool_limit, token_budget, cost_budget. A limit is tripped when it is used up: turn index
 * `maxTurns` would be one turn too many, the deadline is reached at exactly `deadlineMs`, and
 * tool calls, tokens and cost trip only when they exceed their budget.
 */
export function checkLimits(usage: QueryUsage, limits: Partial<QueryLimits> = {}): LimitReason | null {
  const l = { ...DEFAULT_LIMITS, ...limits };
  if (usage.turn >= l.maxTurns) return 'max_turns';
  if (usage.nowMs - usage.startedMs >= l.deadlineMs) return 'deadline';
  if (usage.toolCalls > l.maxToolCalls) return 'tool_limit';
  if (l.maxTokens !== undefined && usage.tokens > l.maxTokens) return 'token_budget';
  if (l.maxCostUsd !== undefined && usage.costUsd > l.maxCostUsd) return 'cost_budget';
  return null;
}

/** Milliseconds left before the deadline (never negative), for timeouts of the next step. */
export function remainingMs(usage: Pick<QueryUsage, 'startedMs' | 'nowMs'>, limits: Partial<QueryLimits> = {}): number {
  const deadline = limits.deadlineMs ?? DEFAULT_LIMITS.deadlineMs;
  return Math.max(0, usage.startedMs + deadline - usage.nowMs);
}
