import { AsyncLocalStorage } from 'node:async_hooks';
import type { Redis } from 'ioredis';
import { keyAround, LUA_SEG } from '@steward/core';
import type { Keys } from './keys.ts';
import { hashOfReply } from './hash-reply.ts';

/**
 * What a job needs before its handler runs, in one round trip: the query's conversation and the
 * names its tools learned (for log redaction), and, for a role whose handler starts by loading
 * its query, the query's hash. Read apart, these were two or three sequential trips at the start
 * of every decide step (issue 17). The names key depends on the conversation read, so the script
 * builds it around the escaped id (core's LUA_SEG and keyAround).
 */
const JOB_PRELUDE = `${LUA_SEG}
-- KEYS: 1 query; ARGV: 1 conversationId ('' = the query's), 2 '1' = names, 3 '1' = the query's hash,
-- 4–5 the conversation's names key around the id (keyAround)
-- returns { conversationId or '', names, query hash (flat) }
local h = {}
if ARGV[3] == '1' then h = redis.call('HGETALL', KEYS[1]) end
local cid = ARGV[1]
if cid == '' then cid = redis.call('HGET', KEYS[1], 'conversationId') or '' end
local names = {}
if ARGV[2] == '1' and cid ~= '' then names = redis.call('SMEMBERS', ARGV[4] .. seg(cid) .. ARGV[5]) end
return { cid, names, h }
`;

export interface JobPrelude {
  conversationId: string | undefined;
  names: string[];
  /** The query's hash as read at the job's start (only when asked for; {} = no such query). */
  query?: Record<string, string>;
}

/**
 * The job's conversation (its payload's, or its query's), the names that conversation's tools
 * learned when `names`, and the query's hash when `query`. Best effort: a failed read leaves the
 * pattern redaction alone to the job's lines, and the handler reads its query itself.
 */
export async function readJobPrelude(
  redis: Redis,
  keys: Keys,
  queryId: string | undefined,
  given: unknown,
  want: { names: boolean; query: boolean },
): Promise<JobPrelude> {
  const conversationId = typeof given === 'string' && given ? given : undefined;
  if (!queryId) return { conversationId, names: [] };
  try {
    const [cid, names, flat] = (await redis.eval(
      JOB_PRELUDE,
      1,
      keys.query(queryId),
      conversationId ?? '',
      want.names ? '1' : '',
      want.query ? '1' : '',
      ...keyAround(keys.conversationNames),
    )) as [string, string[], string[]];
    const out: JobPrelude = { conversationId: cid || undefined, names };
    if (want.query) out.query = hashOfReply(flat);
    return out;
  } catch {
    return { conversationId, names: [] };
  }
}

// The query hash the prelude read, handed to the job's first QueryStore.get of that query.
// Taken once: a later get in the same job (after the job's own writes) reads Redis again.
// Keyed by the query's full Redis key, so a store on another prefix never takes it.
const preloaded = new AsyncLocalStorage<{ key: string; hash: Record<string, string> | undefined }>();

export function runWithPreloadedQuery<T>(key: string, hash: Record<string, string>, fn: () => T): T {
  return preloaded.run({ key, hash }, fn);
}

/**
 * The prelude's read of this query, if the running job has one not yet taken. It is as fresh
 * as a read at the handler's first line: nothing the job does runs between the two, and every
 * step re-checks the state it moves from inside its own script.
 */
export function takePreloadedQuery(key: string): Record<string, string> | undefined {
  const p = preloaded.getStore();
  if (!p || p.key !== key || !p.hash) return undefined;
  const { hash } = p;
  p.hash = undefined;
  return hash;
}
