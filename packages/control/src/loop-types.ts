import type { LOOP_THRESHOLDS } from '@steward/core';

/** One tool call of a turn as the controller recorded it. */
export interface LoopCall {
  name: string;
  /** Arguments after repair/validation (the canonical form is computed here). */
  args: Record<string, unknown>;
  /** The tool's result (string or JSON value); undefined while the call has not ended. */
  result?: unknown;
  /** The error the call ended with (invalid arguments, backend refusal…). */
  error?: string;
}

/** What the model did in one turn: tool calls, a proposed final answer, or unknown tools. */
export interface LoopTurn {
  calls?: readonly LoopCall[];
  answer?: string;
  /** Names of tools the model called that do not exist (after repair failed). */
  unknownTools?: readonly string[];
}

export type LoopDetector = 'no_progress' | 'same_tool' | 'ping_pong' | 'unknown_tool' | 'repeated_answer' | 'tool_budget';
export type LoopLevel = 'none' | 'warning' | 'critical';

export interface LoopFinding {
  detector: LoopDetector;
  level: Exclude<LoopLevel, 'none'>;
  /** For the trace and logs: no arguments or results, only names and counts. */
  message: string;
}

export interface LoopVerdict {
  /** The highest level among the findings. */
  level: LoopLevel;
  findings: LoopFinding[];
  /** Text for the next prompt when level is `warning`: what was tried and what it returned. */
  nudge?: string;
}

export type LoopThresholds = { -readonly [K in keyof typeof LOOP_THRESHOLDS]: number };

export interface LoopOptions {
  thresholds?: Partial<LoopThresholds>;
  /** Circuit breaker: tool calls of one query (default DEFAULTS.maxToolCallsPerQuery). */
  maxToolCalls?: number;
  /** Share of maxToolCalls at which a warning tells the model to wrap up (default 0.75). */
  toolBudgetWarnRatio?: number;
  /** More result/argument keys to ignore when comparing (snake_case or as written). */
  volatileKeys?: readonly string[];
}
