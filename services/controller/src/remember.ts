import { parseMemory, recordToolCalls } from '@steward/context';
import type { CallResult } from '@steward/store';
import type { ControllerDeps } from './deps.ts';

/**
 * Fold a turn's tool results into the conversation's working memory. Queries of a conversation
 * run one at a time and observe is the only step that records results, so the read-modify-write
 * does not race; a redelivered observe folds the same results again, which changes nothing but
 * the reference tick. `memory` is the stored working memory, read by the caller with its other
 * reads (one round trip less on the turn's critical path).
 */
export async function rememberToolResults(
  d: Pick<ControllerDeps, 'conversations'>,
  conversationId: string,
  memory: string,
  results: readonly CallResult[],
  args: readonly Record<string, unknown>[],
): Promise<void> {
  const before = parseMemory(memory);
  const calls = results.map((r, i) => ({ callId: r.callId, name: r.name, arguments: args[i] ?? {}, result: r.result }));
  await d.conversations.setMemory(conversationId, JSON.stringify(recordToolCalls(before, calls)));
}
