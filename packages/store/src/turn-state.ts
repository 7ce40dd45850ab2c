// What a reasoning turn reads before it builds its prompt — the query, its conversation with the
// messages, and the query's steps — in one script: one round trip instead of the query's HGETALL
// followed by three more reads once the conversation id is known.
import type { Redis } from 'ioredis';
import { ChatMessage, keyAround, LUA_SEG } from '@steward/core';
import { bindLogContext } from '@steward/telemetry';
import type { Keys } from './keys.ts';
import { QueryRecord } from './query-record.ts';
import { conversationState, type ConversationState } from './conversations.ts';
import { hashOfReply } from './hash-reply.ts';

// KEYS: 1 query, 2 its steps, 3 (optional) a key whose existence the caller needs too.
// ARGV: 1–4 the conversation's hash and message-list keys around the id (keyAround): they depend
// on the query's data, so the script puts the escaped id between; 5–6 (optional) its names key.
const LOAD_TURN = `${LUA_SEG}
local q = redis.call('HGETALL', KEYS[1])
local cid = false
for i = 1, #q, 2 do if q[i] == 'conversationId' then cid = q[i + 1] end end
if not cid then return {q} end
local id = seg(cid)
local ex = 0
if KEYS[3] then ex = redis.call('EXISTS', KEYS[3]) end
local names = {}
if ARGV[5] then names = redis.call('SMEMBERS', ARGV[5] .. id .. ARGV[6]) end
return {q, redis.call('HGETALL', ARGV[1] .. id .. ARGV[2]), redis.call('LRANGE', ARGV[3] .. id .. ARGV[4], 0, -1), redis.call('LRANGE', KEYS[2], 0, -1), ex, names}
`;

export interface TurnState {
  query: QueryRecord;
  conversation: ConversationState;
  steps: ChatMessage[];
}

export interface LoadTurnOptions {
  /**
   * A key whose existence the caller checks with the load (the reasoning-worker's decide job):
   * in the same script instead of an EXISTS beside it, one command fewer per turn.
   */
  existsKey?: string;
  /**
   * Read the names the conversation's tools learned (for log redaction, known-names.ts) here
   * instead of in the job's prelude: one script fewer before each reasoning turn.
   */
  names?: boolean;
}

export interface LoadedTurn extends TurnState {
  /** Whether `existsKey` exists (false when not asked). */
  keyExists: boolean;
  /** The conversation's learned names (none when not asked). */
  names: string[];
}

/** The query (null when it does not exist), its conversation and its steps, read at one instant. */
export async function loadTurn(s: { redis: Redis; keys: Keys }, queryId: string, o: LoadTurnOptions = {}): Promise<LoadedTurn | null> {
  const around = [...keyAround(s.keys.conversation), ...keyAround(s.keys.conversationMessages), ...(o.names ? keyAround(s.keys.conversationNames) : [])];
  const keys = [s.keys.query(queryId), s.keys.querySteps(queryId), ...(o.existsKey === undefined ? [] : [o.existsKey])];
  const [q, conv, msgs, steps, exists, names] = (await s.redis.eval(LOAD_TURN, keys.length, ...keys, ...around)) as [
    string[],
    string[]?,
    string[]?,
    string[]?,
    number?,
    string[]?,
  ];
  const h = hashOfReply(q);
  if (!h.queryId) return null;
  const query = QueryRecord.parse(h);
  // As QueryStore.get: a job that loads its query logs under the query's trace id from here on.
  bindLogContext({ traceId: query.traceId, conversationId: query.conversationId });
  return {
    query,
    conversation: conversationState(query.conversationId, hashOfReply(conv ?? []), msgs ?? []),
    steps: (steps ?? []).map((m) => ChatMessage.parse(JSON.parse(m))),
    keyExists: exists === 1,
    names: names ?? [],
  };
}
