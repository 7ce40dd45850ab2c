// The baseline the token benchmark compares against: everything, verbatim, no budget. Orphan
// tool messages are still removed, because a provider would reject the request otherwise.
import type { ChatMessage } from '@steward/core';
import { countMessageTokens, countToolDefinitionTokens } from './count-tokens.ts';
import { toUnits } from './message-units.ts';
import type { BuiltPrompt, PromptInput } from './build-prompt.ts';

export function buildNaivePrompt(input: PromptInput): BuiltPrompt {
  const system = input.policy ? `${input.system}\n\n${input.policy}` : input.system;
  const retrieved = (input.retrieved ?? []).map((r) => `[${r.label}]\n${r.content}`);
  const history = toUnits(input.history);
  const pad = toUnits(input.scratchpad ?? []);
  const messages: ChatMessage[] = [
    { role: 'system', content: [system, ...retrieved].join('\n\n') },
    ...history.units.flatMap((u) => u.messages),
    ...pad.units.flatMap((u) => u.messages),
  ];
  if (input.loopWarning) messages.push({ role: 'system', content: input.loopWarning });
  const toolTokens = input.tools?.length ? countToolDefinitionTokens(input.tools, input.model) : 0;
  return {
    messages,
    tokens: countMessageTokens(messages, input.model) + toolTokens,
    limit: Number.POSITIVE_INFINITY,
    dropped: [...history.invalid.map((_, i) => `orphan:history:${i}`), ...pad.invalid.map((_, i) => `orphan:scratchpad:${i}`)],
    truncated: [],
  };
}

/** Budgeted or naive, by a flag the benchmark and the worker's config can flip. */
export type PromptMode = 'budgeted' | 'naive';
