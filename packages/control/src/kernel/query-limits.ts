import { checkLimits, type LimitReason } from '../limits.ts';
import type { KernelLimits, QuerySnapshot } from './transition.ts';

/**
 * The first limit the query has tripped before its next step, or null. The deadline is the one
 * fixed when the query started (`deadlineAtMs`), so a change of the configured deadline does
 * not move the deadline of queries already running.
 */
export function trippedLimit(
  q: QuerySnapshot,
  l: KernelLimits,
  at: { turn: number; nowMs: number; incr?: Record<string, number> },
): LimitReason | null {
  const incr = at.incr ?? {};
  const startedMs = q.startedMs ?? q.createdMs;
  return checkLimits(
    {
      turn: at.turn,
      startedMs,
      nowMs: at.nowMs,
      toolCalls: q.toolCalls,
      tokens: q.inputTokens + q.outputTokens + (incr.inputTokens ?? 0) + (incr.outputTokens ?? 0),
      costUsd: q.costUsd + (incr.costUsd ?? 0),
    },
    {
      maxTurns: l.maxTurns,
      deadlineMs: q.deadlineAtMs ? q.deadlineAtMs - startedMs : l.deadlineMs,
      maxToolCalls: l.maxToolCallsPerQuery,
      ...(l.tokenBudget ? { maxTokens: l.tokenBudget } : {}),
      ...(l.costBudgetUsd ? { maxCostUsd: l.costBudgetUsd } : {}),
    },
  );
}
