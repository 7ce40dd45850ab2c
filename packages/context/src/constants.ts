// Limits of the prompt builder that are specific to context assembly. The shared budget
// (context window, output reserve, verbatim window, summary and recent tool-result caps) comes
// from DEFAULTS in @steward/core: one value each, whoever builds a prompt or folds a summary.
import { DEFAULTS } from '@steward/core';

export const CONTEXT_DEFAULTS = {
  maxContextTokens: DEFAULTS.maxContextTokens,
  outputTokens: DEFAULTS.outputTokensPerTurn,
  verbatimMessages: DEFAULTS.historyVerbatimMessages,
  /** A tool result at its fullest is kept whole up to this (a guard against a runaway result, not a cap on normal ones). */
  recentToolResultTokens: DEFAULTS.recentToolResultTokens,
  /** A tool result cut to this only when the window is full even with every result at its skeleton (ids kept). */
  olderToolResultTokens: 300,
  /** The last shrink step before a tool step is dropped as a whole. */
  minToolResultTokens: 60,
  /** One verbatim history message (a long earlier answer) never takes more than this. */
  historyMessageTokens: 800,
  /** The rolling summary in the prompt, and the bound updateSummary keeps it under. */
  summaryTokens: DEFAULTS.summaryTokens,
  /** The working memory at its fullest; over it, the least recently referenced entities shrink, then leave. */
  memoryTokens: 2_400,
  /** The customer's open requests at their fullest. */
  requestTokens: 600,
  /**
   * Tokens each tier keeps before a tier of higher priority is shortened: the prompt is filled
   * tier by tier, and what a tier leaves unused flows to the next.
   */
  tierFloors: { requests: 200, memory: 500, steps: 600, recent: 200, summary: 60 },
  /** Pinned parts (system prompt, current question, loop warning) shrink no lower than this. */
  pinnedFloorTokens: 48,
} as const;

/** Put where text was cut, so the model knows something is missing and does not invent it. */
export function truncationMarker(omittedChars: number): string {
  return `\n…[${omittedChars} characters omitted]…\n`;
}
