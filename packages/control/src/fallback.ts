import { text, type EndReason, type Language, type TextKey } from '@steward/core';

/**
 * The sentence a query ends with when it did not end with the model's own answer, in the
 * customer's language. `answered` and `superseded` normally send nothing of ours; if a caller
 * still needs a text for them, the generic fallback is the safe choice.
 */
export function fallbackKey(reason: EndReason): TextKey {
  switch (reason) {
    case 'deadline':
      return 'fallbackDeadline';
    case 'loop_detected':
      return 'fallbackLoop';
    case 'llm_unavailable':
    case 'model_fault':
      return 'fallbackUnavailable';
    case 'handoff':
      return 'handoffNotice';
    case 'max_turns':
    case 'tool_limit':
    case 'token_budget':
    case 'cost_budget':
    case 'error':
    case 'answered':
    case 'superseded':
      return 'fallback';
  }
}

export function fallbackFor(reason: EndReason, lang: Language): string {
  return text(fallbackKey(reason), lang);
}
