// The controller's use of the pure control logic (packages/control), in one place.
import { DEFAULTS, type ChatMessage, type EndReason, type Language } from '@steward/core';
import {
  checkLimits as checkLimitsPure,

  detectLoop as detectLoopPure,
  fallbackFor,

  follow,
  type LoopTurn,
  type QueryEvent,
} from '@steward/control';
import { updateSummary } from '@steward/context';
import type { QueryRecord } from '@steward/store';
import type { ControllerLimits } from './deps.ts';

export { fallbackFor };

export interface LoopResult {
  level: 'none' | 'warning' | 'critical';
  nudge: string;
  detail: string;
}

export function detectLoop(history: readonly LoopTurn[], limits: ControllerLimits): LoopResult {
  const v = detectLoopPure(history, { maxToolCalls: limits.maxToolCallsPerQuery });
  return {
    level: v.level,
    nudge: v.nudge ?? '',
    detail: v.findings.map((f) => `${f.detector}: ${f.message}`).join('; '),
  };
}

export function checkLimits(
  limits: ControllerLimits,
  s: { turn: number; startedMs: number; deadlineAtMs: number | undefined; nowMs: number; toolCalls: number; tokens: number; costUsd: number },
): EndReason | null {
  return checkLimitsPure(
    { turn: s.turn, startedMs: s.startedMs, nowMs: s.nowMs, toolCalls: s.toolCalls, tokens: s.tokens, costUsd: s.costUsd },
    {
      maxTurns: limits.maxTurns,
      deadlineMs: s.deadlineAtMs ? s.deadlineAtMs - s.startedMs : limits.deadlineMs,
      maxToolCalls: limits.maxToolCallsPerQuery,
      ...(limits.tokenBudget ? { maxTokens: limits.tokenBudget } : {}),
      ...(limits.costBudgetUsd ? { maxCostUsd: limits.costBudgetUsd } : {}),
    },
  );
}

/**
 * Check a step against the state machine before it is applied. An illegal step is a bug: it
 * throws IllegalTransitionError, which fails the job without retry (and is logged by the worker).
 */
export function assertTransition(from: QueryRecord['state'], ...events: QueryEvent[]): QueryRecord['state'] {
  return follow(from, ...events);
}

/** Fold messages leaving the verbatim window into the rolling summary (incremental). */
export function foldSummary(summary: string, evicted: ChatMessage[], model: string = DEFAULTS.llmModel): string {
  return updateSummary(summary, evicted, { model, maxTokens: DEFAULTS.summaryTokens });
}

export type { Language };
