// A BullMQ job added by a step's own script (ADR 0040): the step's commit and its job become one
// Redis write, where the outbox made them three round trips in sequence (the step's script, then
// BullMQ's add, then the outbox's ZREM). Only the shape steward's queues use is written here: a
// job with its own deterministic id, no parent, no priority, no delay, no deduplication (a
// delayed job still goes through the outbox). What BullMQ 6.7's addStandardJob writes for that
// shape is written in the same order; bull-add.test.ts holds this to BullMQ's own add, job hash,
// lists, marker and events alike, and a real Worker runs and retries such a job.
import { QUEUES, type QueueName } from '@steward/core';
import type { JobSpec } from '@steward/control';
import { JOB_OPTIONS } from './queues.ts';

/**
 * The options BullMQ stores for a job of this queue, but for the job id that bull_add splices in
 * (Job's constructor: `attempts` defaults to 0 and is then the queue's).
 */
function optsOf(queue: QueueName): Record<string, unknown> {
  return { attempts: 0, ...JOB_OPTIONS[queue] };
}

/** Each queue's options without the job id, as Lua long strings (constant: part of the script's source). */
const OPTS_TABLE = Object.values(QUEUES)
  .map((q) => `  ${q} = [[${JSON.stringify(optsOf(q))}]],`)
  .join('\n');

/**
 * bull_add(prefix, queue, jobId, data, now): the job under `<prefix>:<queue>:<jobId>` unless that
 * key exists (a redelivered step: BullMQ's add would report it duplicated, and so does this).
 * `data` is the JSON string BullMQ stores, passed through as sent (re-encoding a payload in Lua
 * would turn an empty array into an object); the options are the queue's (optsOf), the job id
 * spliced in.
 */
export const BULL_ADD_FN = `
local BULL_OPTS = {
${OPTS_TABLE}
}
local function bull_add(prefix, queue, jobId, data, now)
  local opts = string.sub(BULL_OPTS[queue], 1, -2) .. ',"jobId":' .. cjson.encode(jobId) .. '}'
  local qk = prefix .. ':' .. queue .. ':'
  local jk = qk .. jobId
  local events = qk .. 'events'
  redis.call('INCR', qk .. 'id')
  local maxEvents = redis.call('HGET', qk .. 'meta', 'opts.maxLenEvents')
  if not maxEvents then
    maxEvents = 10000
    redis.call('HSET', qk .. 'meta', 'opts.maxLenEvents', maxEvents)
  end
  if redis.call('EXISTS', jk) == 1 then
    redis.call('XADD', events, 'MAXLEN', '~', maxEvents, '*', 'event', 'duplicated', 'jobId', jobId)
    return
  end
  redis.call('HMSET', jk, 'name', queue, 'data', data, 'opts', opts, 'timestamp', now, 'delay', 0, 'priority', 0)
  redis.call('XADD', events, '*', 'event', 'added', 'jobId', jobId, 'name', queue)
  local meta = redis.call('HMGET', qk .. 'meta', 'paused', 'concurrency')
  local held = meta[1] and true or false
  if not held and meta[2] then held = redis.call('LLEN', qk .. 'active') >= tonumber(meta[2]) end
  redis.call('LPUSH', qk .. 'wait', jobId)
  if not held then redis.call('ZADD', qk .. 'marker', 0, '0') end
  redis.call('XADD', events, 'MAXLEN', '~', maxEvents, '*', 'event', 'waiting', 'jobId', jobId)
end
`;

/** Arguments per job a script adds with bull_add: queue, job id, data JSON. */
export const BULL_ADD_ARITY = 3;

/** A job a step's script may add itself: not delayed (a delayed job goes through the outbox). */
export function addsInScript(j: Pick<JobSpec, 'runAt'>): boolean {
  return j.runAt === undefined;
}

/** bull_add's arguments for one job, in BULL_ADD_ARITY order. */
export function bullAddArgs(j: Pick<JobSpec, 'queue' | 'jobId' | 'data'>): string[] {
  if (!Object.values(QUEUES).includes(j.queue)) throw new Error(`unknown queue ${j.queue}`);
  return [j.queue, j.jobId, JSON.stringify(j.data ?? {})];
}
