import { parseMemory, recordRequest, TextCache, type WorkingMemory } from '@steward/context';

// Working memories parsed from their stored JSON, by that JSON. Parsing is JSON.parse plus the
// zod schema (the record may have been written by another version), ~5 % of this worker's CPU
// when done on every turn; the same text is read again whenever no tool result changed it in
// between (an answered query's next one, a retried turn), and the text this worker writes is
// remembered with the memory it came from, so its next turn finds it parsed. The values are
// shared between turns: everything that takes a WorkingMemory treats it as immutable
// (recordRequest and recordToolCalls copy before they change anything, rendering only reads).
// Bounded in entries and in characters kept; what it keeps is a few MB at most.
const parsed = new TextCache<WorkingMemory>(256, 2_000_000);
const SPACE = 'memory';

/** The stored memory parsed, from the cache when this text was parsed or written here before. */
export function readMemory(stored: string): WorkingMemory {
  // An absent memory is a fresh empty one each time: nothing to remember.
  if (!stored) return parseMemory(stored);
  return parsed.through(SPACE, stored, parseMemory);
}

/**
 * The conversation's working memory for this turn, with the query's customer message recorded
 * as an open request (once per query; a "yes" is not a request). The reasoning turn is the only
 * step that sees the customer's message before any tool runs, so it records it. `changed` is the
 * JSON to store when the request was new: the caller writes it in the same round trip as the
 * turn's prompt prefix (one write per turn instead of two), before the LLM call as before.
 */
export function promptMemory(stored: string, queryId: string, text: string): { memory: WorkingMemory; changed?: string } {
  const memory = readMemory(stored);
  // A later turn of the query: its request is recorded already, which recordRequest would find
  // too, after its costlier check of whether the text is only a "yes".
  if (memory.requests.some((r) => r.id === queryId)) return { memory };
  const next = recordRequest(memory, queryId, text);
  if (next === memory) return { memory };
  const changed = JSON.stringify(next);
  // What the next turn reads back, unless a tool result is folded in first.
  parsed.set(SPACE, changed, next);
  return { memory: next, changed };
}
