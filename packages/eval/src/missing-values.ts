// The values of an action that were not in its prompt, each with where it had last been seen:
// shared by the scripted double and the recording proxy in front of a real model.
import { argumentValues, isPresent, type PromptText } from './value-presence.ts';

/** Where a value missing from the prompt had been seen before. */
export type MissingCause = 'earlier_query' | 'earlier_turn_same_query' | 'never_in_prompt';

export interface MissingValue {
  arg: string;
  value: string | number;
  cause: MissingCause;
}

/** The prompts a conversation's model received so far, the current one last. */
export interface SeenPrompt {
  query: number;
  prompt: PromptText;
}

export function causeOf(seen: readonly SeenPrompt[], value: string | number): MissingCause {
  const current = seen.at(-1);
  for (let i = seen.length - 2; i >= 0; i--) {
    if (isPresent(value, seen[i]!.prompt))
      return seen[i]!.query === current?.query ? 'earlier_turn_same_query' : 'earlier_query';
  }
  return 'never_in_prompt';
}

/** `toolDefinition`: the offered tool's JSON (a choice it quotes counts as present). */
export function missingValues(
  args: Record<string, unknown>,
  seen: readonly SeenPrompt[],
  toolDefinition = '',
): MissingValue[] {
  const prompt = seen.at(-1)?.prompt;
  if (!prompt) return [];
  return argumentValues(args)
    .filter(([, v]) => !isPresent(v, prompt, toolDefinition))
    .map(([arg, value]) => ({ arg, value, cause: causeOf(seen, value) }));
}
