// The controller's use of the pure helpers outside the kernel's transitions, in one place.
import { DEFAULTS, type ChatMessage } from '@steward/core';
import { fallbackFor } from '@steward/control';
import { updateSummary } from '@steward/context';

export { fallbackFor };

/** Fold messages leaving the verbatim window into the rolling summary (incremental). */
export function foldSummary(summary: string, evicted: ChatMessage[], model: string = DEFAULTS.llmModel): string {
  return updateSummary(summary, evicted, { model, maxTokens: DEFAULTS.summaryTokens });
}
