import { foldToolCalls, parseMemory } from '@steward/context';
import type { Transition } from '@steward/control';
import type { CallResult } from '@steward/store';

/**
 * A turn's tool results folded into the conversation's working memory (`memory`: the stored
 * JSON, '' when none); returns the JSON to store. Queries of a conversation run one at a time
 * and observe is the only step that records results, so the read-modify-write does not race.
 */
export function foldToolResults(memory: string, results: readonly CallResult[], args: readonly Record<string, unknown>[]): string {
  const calls = results.map((r, i) => ({ callId: r.callId, name: r.name, arguments: args[i] ?? {}, result: r.result }));
  // The parsed memory is this call's own: folded in place, not copied first.
  return JSON.stringify(foldToolCalls(parseMemory(memory), calls));
}

/**
 * The step with the working memory committed by its own script: one round trip less on the
 * turn's critical path, and a redelivered observe (which finds the query moved on) folds nothing
 * twice. Only for a step that advances the query (an ending records its steps otherwise).
 */
export function withMemory(t: Transition, conversationId: string, memory: string): Transition {
  const c = t.conversation;
  if (c && c.id !== conversationId) throw new Error(`step changes conversation ${c.id}, observed ${conversationId}`);
  return { ...t, conversation: { ...c, id: conversationId, set: { ...c?.set, memory } } };
}
