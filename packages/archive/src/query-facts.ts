// What the events do not carry but the archive needs (the customer's message text, the
// verified customer bound later by the identity tools) is read from the query and
// conversation records in Redis when their events arrive, while those records are still hot.
import type { Redis } from 'ioredis';
import type { Keys } from '@steward/store';

export interface QueryFacts {
  text?: string;
  customerId?: string;
  channel?: string;
  language?: string;
  createdMs?: number;
  traceId?: string;
}

export async function readQueryFacts(redis: Redis, keys: Keys, queryId: string, conversationId: string | undefined): Promise<QueryFacts> {
  const [q, convCustomer] = await Promise.all([
    redis.hmget(keys.query(queryId), 'text', 'customerId', 'channel', 'language', 'createdMs', 'traceId'),
    conversationId ? redis.hget(keys.conversation(conversationId), 'customerId') : Promise.resolve(null),
  ]);
  const [text, customerId, channel, language, createdMs, traceId] = q;
  const facts: QueryFacts = {};
  if (text !== null && text !== undefined) facts.text = text;
  // The conversation's binding wins: the identity tools set it after the query was accepted.
  const cust = convCustomer || customerId;
  if (cust) facts.customerId = cust;
  if (channel) facts.channel = channel;
  if (language) facts.language = language;
  if (createdMs) facts.createdMs = Number(createdMs);
  if (traceId) facts.traceId = traceId;
  return facts;
}
