import { parseMemory, recordRequest, type WorkingMemory } from '@steward/context';
import type { ConversationStore } from '@steward/store';

/**
 * The conversation's working memory for this turn, with the query's customer message recorded
 * as an open request (once per query; a "yes" is not a request). The reasoning turn is the only
 * step that sees the customer's message before any tool runs, so it records it here. `changed`
 * is the JSON to store when recording changed it: the turn writes it together with its other
 * conversation fields (one round trip).
 */
export function turnMemory(stored: string, queryId: string, text: string): { memory: WorkingMemory; changed?: string } {
  const memory = parseMemory(stored);
  const next = recordRequest(memory, queryId, text);
  return next === memory ? { memory } : { memory: next, changed: JSON.stringify(next) };
}

/** turnMemory, stored at once when it changed (for callers without other fields to write). */
export async function promptMemory(
  conversations: ConversationStore,
  conversationId: string,
  stored: string,
  queryId: string,
  text: string,
): Promise<WorkingMemory> {
  const { memory, changed } = turnMemory(stored, queryId, text);
  if (changed !== undefined) await conversations.setMemory(conversationId, changed);
  return memory;
}
