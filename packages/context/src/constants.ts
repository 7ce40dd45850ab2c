// Limits of the prompt builder that are specific to context assembly. The shared budget
// (context window, output reserve, verbatim window, summary and recent tool-result caps) comes
// from DEFAULTS in @steward/core: one value each, whoever builds a prompt or folds a summary.
import { DEFAULTS } from '@steward/core';

export const CONTEXT_DEFAULTS = {
  maxContextTokens: DEFAULTS.maxContextTokens,
  outputTokens: DEFAULTS.outputTokensPerTurn,
  verbatimMessages: DEFAULTS.historyVerbatimMessages,
  /** A tool result of the most recent turn: the model is about to reason over it, keep most of it. */
  recentToolResultTokens: DEFAULTS.recentToolResultTokens,
  /** Tool results of earlier turns: the model already used them, a compact trace is enough. */
  olderToolResultTokens: 300,
  /** The last shrink step before a tool step is dropped as a whole. */
  minToolResultTokens: 60,
  /** One verbatim history message (a long earlier answer) never takes more than this. */
  historyMessageTokens: 800,
  /** The rolling summary in the prompt, and the bound updateSummary keeps it under. */
  summaryTokens: DEFAULTS.summaryTokens,
  /** Pinned parts (system prompt, current question, loop warning) shrink no lower than this. */
  pinnedFloorTokens: 48,
} as const;

/** Put where text was cut, so the model knows something is missing and does not invent it. */
export function truncationMarker(omittedChars: number): string {
  return `\n…[${omittedChars} characters omitted]…\n`;
}
