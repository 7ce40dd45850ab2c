import { parseMemory, recordRequest, type WorkingMemory } from '@steward/context';
import type { ConversationStore } from '@steward/store';

/**
 * The conversation's working memory for this turn, with the query's customer message recorded
 * as an open request (once per query; a "yes" is not a request). The reasoning turn is the only
 * step that sees the customer's message before any tool runs, so it records it here.
 */
export async function promptMemory(
  conversations: ConversationStore,
  conversationId: string,
  stored: string,
  queryId: string,
  text: string,
): Promise<WorkingMemory> {
  const memory = parseMemory(stored);
  const next = recordRequest(memory, queryId, text);
  if (next !== memory) await conversations.setMemory(conversationId, JSON.stringify(next));
  return next;
}
