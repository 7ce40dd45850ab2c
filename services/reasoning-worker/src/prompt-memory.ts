import { parseMemory, recordRequest, type WorkingMemory } from '@steward/context';

/**
 * The conversation's working memory for this turn, with the query's customer message recorded
 * as an open request (once per query; a "yes" is not a request). The reasoning turn is the only
 * step that sees the customer's message before any tool runs, so it records it. `changed` is the
 * JSON to store when the request was new: the caller writes it in the same round trip as the
 * turn's prompt prefix (one MULTI per turn instead of two), before the LLM call as before.
 */
export function promptMemory(stored: string, queryId: string, text: string): { memory: WorkingMemory; changed?: string } {
  const memory = parseMemory(stored);
  const next = recordRequest(memory, queryId, text);
  return next === memory ? { memory } : { memory: next, changed: JSON.stringify(next) };
}
