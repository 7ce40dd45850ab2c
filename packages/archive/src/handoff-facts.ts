// A handoff is archived when it closes (resolved, or returned to the agent): its record and what
// was said while a person owned the conversation are read from Redis then — still there, since
// closed records are pruned only HANDOFF_RETENTION_HOURS later — because the events carry ids
// and states, not the words.
import type { Redis } from 'ioredis';
import { HandoffStore, type HandoffEntry, type HandoffRecord, type Keys } from '@steward/store';

export interface HandoffFacts {
  record: HandoffRecord;
  messages: HandoffEntry[];
}

/** The states after which nothing more is said in a handoff. */
export const CLOSED_HANDOFF_STATES: ReadonlySet<string> = new Set(['resolved', 'returned']);

export async function readHandoffFacts(redis: Redis, keys: Keys, handoffId: string): Promise<HandoffFacts | undefined> {
  const store = new HandoffStore(redis, keys);
  const [record, messages] = await Promise.all([store.get(handoffId), store.messages(handoffId)]);
  return record ? { record, messages } : undefined;
}
