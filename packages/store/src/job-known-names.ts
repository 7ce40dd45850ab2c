import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

/**
 * The query's conversation and the names its tools learned, in one round trip: the prelude of
 * every job whose payload does not name its conversation (reason, decide, deadline) read them in
 * two sequential trips before the job could start (issue 17). The names key is built here from
 * the prefix because it depends on the conversation read; `seg` is the same escape as core's.
 */
const QUERY_CONVERSATION_NAMES = `
local cid = redis.call('HGET', KEYS[1], 'conversationId')
if not cid or cid == '' then return {} end
local s = cid
if s:find('[:%%]') then
  s = s:gsub('%%', '%%25')
  s = s:gsub(':', '%%3A')
end
local names = redis.call('SMEMBERS', ARGV[1] .. ':conv:' .. s .. ':names')
table.insert(names, 1, cid)
return names
`;

export interface JobKnownNames {
  conversationId: string | undefined;
  names: string[];
}

/**
 * The job's conversation (its payload's, or its query's) and the names that conversation's tools
 * learned. Best effort: a failed read leaves the pattern redaction alone to the job's lines.
 */
export async function jobKnownNames(redis: Redis, keys: Keys, queryId: string | undefined, given: unknown): Promise<JobKnownNames> {
  const conversationId = typeof given === 'string' ? given : undefined;
  try {
    if (conversationId) return { conversationId, names: await redis.smembers(keys.conversationNames(conversationId)) };
    if (!queryId) return { conversationId: undefined, names: [] };
    const [cid, ...names] = (await redis.eval(QUERY_CONVERSATION_NAMES, 1, keys.query(queryId), keys.prefix)) as string[];
    return { conversationId: cid, names: cid ? names : [] };
  } catch {
    return { conversationId, names: [] };
  }
}
