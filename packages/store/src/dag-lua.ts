// Lua scripts of a turn's tool DAG (see dag.ts): created once, claimed by the first root's job,
// released call by call. Kept apart from the step scripts in lua.ts, which they do not share.
import { EMIT_LUA } from './events.ts';
import { ADVANCE, SLICE_FN } from './lua.ts';

/** Create the bookkeeping of one turn's tool DAG once. */
export const DAG_INIT = `
-- KEYS: 1 dag ; ARGV: 1 callsJson [{pending, dependents, job?, result?}], 2 ttl
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local calls = cjson.decode(ARGV[1])
local left = 0
for i, c in ipairs(calls) do
  local idx = i - 1
  redis.call('HSET', KEYS[1], 'p:' .. idx, c.pending, 'dp:' .. idx, cjson.encode(c.dependents))
  if c.job then redis.call('HSET', KEYS[1], 'c:' .. idx, c.job) end
  if c.result then redis.call('HSET', KEYS[1], 'r:' .. idx, c.result) else left = left + 1 end
end
redis.call('HSET', KEYS[1], 'n', #calls, 'left', left)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
`;

/**
 * A tools job starts its call: what the call reads before it runs (its recorded result, the
 * conversation's customer, the results it depends on) and who runs it. The first job to start a
 * call of the turn that nobody claimed claims it for itself (`k:<i>` = i) and, up to `room`, the
 * turn's other calls that could start now and that nobody claimed or recorded (the turn's other
 * roots, whose own jobs are still on their way): it runs them in place beside its own call, the
 * way released dependents run (ADR 0031). Such a call is marked `s:<j>`: its own job, arriving
 * later, finds it claimed by another job and leaves it; a re-enqueue of it takes a job id distinct
 * from that job's. A job whose call it claimed earlier (a redelivery, the call not recorded)
 * gets back the calls it claimed and did not finish, to enqueue (the runner of those died).
 */
export const DAG_START = `
-- KEYS: 1 dag, 2 conversation, [3 query steps, 4 query history] ; ARGV: 1 index, 2 room (calls it may claim to run beside its own), 3.. the call's dependsOn
-- returns {recordedJson|'', customerId|'', {dependencyResultJson|'', ...}, claim|'', claimedFromItsJob 0|1,
--          {{index, jobJson, {dependencyResultJson|'', ...}}, ...} claimed now, {{index, jobJson, claimedFromItsJob 0|1}, ...} claimed earlier, unfinished
--          [, {{resultJson|'', ...} per call, {stepJson, ...}, {historyJson, ...}, memoryJson|''}]}
-- The last element, with KEYS 3 and 4 and only for a job that claims its own call now: what the
-- turn's observe step reads but the results still to come (ADR 0041). The job that runs the turn's
-- last call decides that step from it and has the call's record script apply it; nothing of it
-- changes while the turn's calls run but the results, which that script compares.
local idx = ARGV[1]
local customer = redis.call('HGET', KEYS[2], 'customerId') or ''
local function results(list)
  local out = {}
  for _, d in ipairs(list) do out[#out + 1] = redis.call('HGET', KEYS[1], 'r:' .. d) or '' end
  return out
end
local own = {}
for i = 3, #ARGV do own[#own + 1] = ARGV[i] end
if redis.call('EXISTS', KEYS[1]) == 0 then return { '', customer, results(own), '', 0, {}, {} } end
local recorded = redis.call('HGET', KEYS[1], 'r:' .. idx)
local claim = redis.call('HGET', KEYS[1], 'k:' .. idx)
local fromJob = redis.call('HEXISTS', KEYS[1], 's:' .. idx)
local claimed, mine, claimedNow = {}, {}, false
local function free(j)
  return tonumber(redis.call('HGET', KEYS[1], 'p:' .. j) or '1') <= 0 and redis.call('HEXISTS', KEYS[1], 'r:' .. j) == 0
end
if not recorded then
  local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
  -- Only a call free to start: a dependent is claimed by whoever releases it (DAG_COMPLETE).
  if not claim and free(idx) then
    redis.call('HSET', KEYS[1], 'k:' .. idx, idx)
    claim = idx
    claimedNow = true
    local room = tonumber(ARGV[2])
    for j = 0, n - 1 do
      if room <= 0 then break end
      if tostring(j) ~= idx and free(j) and redis.call('HEXISTS', KEYS[1], 'k:' .. j) == 0 then
        local job = redis.call('HGET', KEYS[1], 'c:' .. j)
        if job then
          redis.call('HSET', KEYS[1], 'k:' .. j, idx, 's:' .. j, 1)
          claimed[#claimed + 1] = { j, job, results(cjson.decode(job).dependsOn or {}) }
          room = room - 1
        end
      end
    end
  elseif claim == idx then
    for j = 0, n - 1 do
      if tostring(j) ~= idx and redis.call('HGET', KEYS[1], 'k:' .. j) == idx and free(j) then
        local job = redis.call('HGET', KEYS[1], 'c:' .. j)
        if job then mine[#mine + 1] = { j, job, redis.call('HEXISTS', KEYS[1], 's:' .. j) } end
      end
    end
  end
end
if claimedNow and KEYS[4] then
  local all = {}
  for j = 0, tonumber(redis.call('HGET', KEYS[1], 'n') or '0') - 1 do all[#all + 1] = j end
  local turn = { results(all), redis.call('LRANGE', KEYS[3], 0, -1), redis.call('LRANGE', KEYS[4], 0, -1), redis.call('HGET', KEYS[2], 'memory') or '' }
  return { recorded or '', customer, results(own), claim or '', fromJob, claimed, mine, turn }
end
return { recorded or '', customer, results(own), claim or '', fromJob, claimed, mine }
`;

/**
 * Record a call's result once and release its dependents, each claimed by `owner`: the index of
 * the call whose tools job is running this chain (a worker runs a released dependent in place,
 * inside the job of the call that released it; the job is its durable record).
 * The first recording returns the dependents it released now. A repeat (a redelivered job found
 * its result recorded: its worker died or crashed before enqueuing) returns everything `owner`
 * claimed and did not finish, and the call's ready dependents nobody claimed (released by an
 * older worker), so they are started again; a dependent claimed by another call's job is that
 * job's to finish. A call released and run in place has no job until a repeat enqueues it; a root
 * claimed from its own job by a sibling's (`s:<j>`, DAG_START) comes back flagged, since that
 * job left it and its re-enqueue needs another id.
 */
export const DAG_COMPLETE = `
-- KEYS: 1 dag, [2 query, 3 conversation, [4 query steps, 5 query history, [6 the lock of the job running this call]]] ;
-- ARGV: 1 index, 2 resultJson, 3 owner, [4 that job's lock token]
-- With KEYS 6: a runner whose job's lock now holds another token (its job was taken over while it
-- was stopped or cut off: the new holder runs the call again and carries the chain on) records
-- nothing and gets {-3}; else its release would claim and run, a second time, calls the holder runs.
-- returns {left, readyIndex, readyJobJson, ...}: each ready call's job comes back with it, so the
-- caller runs or enqueues it without another read. With KEYS 2 and 3 it returns
-- {left, running, customerId, {readyIndex, readyJobJson, {dependencyResultJson, ...}, claimedFromItsJob 0|1}, ...}:
-- all a released call reads before it starts (the query still running, the conversation's
-- customer, the results it depends on), so one run in place starts with no read of its own.
-- With KEYS 4 and 5 (not ''), when no call is left (nothing is released then), the 4th element is
-- {queryHash, {resultJson|'', ...}, {stepJson, ...}, {historyJson, ...}, memoryJson|''}: what the
-- turn's observe step reads, in the same script as the result that ended the turn.
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
if KEYS[6] and ARGV[4] then
  local holder = redis.call('GET', KEYS[6])
  if holder and holder ~= ARGV[4] then return {-3} end
end
local idx = ARGV[1]
local owner = ARGV[3]
local deps = cjson.decode(redis.call('HGET', KEYS[1], 'dp:' .. idx) or '[]')
local out = {}
local function push(j)
  out[#out + 1] = j
  out[#out + 1] = redis.call('HGET', KEYS[1], 'c:' .. j)
end
local function startable(j)
  return tonumber(redis.call('HGET', KEYS[1], 'p:' .. j)) <= 0 and redis.call('HEXISTS', KEYS[1], 'r:' .. j) == 0
end
if redis.call('HSETNX', KEYS[1], 'r:' .. idx, ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'left', -1)
  for _, j in ipairs(deps) do
    if redis.call('HINCRBY', KEYS[1], 'p:' .. j, -1) <= 0 and redis.call('HEXISTS', KEYS[1], 'r:' .. j) == 0
      and redis.call('HSETNX', KEYS[1], 'k:' .. j, owner) == 1 then
      push(j)
    end
  end
else
  for j = 0, tonumber(redis.call('HGET', KEYS[1], 'n')) - 1 do
    if redis.call('HGET', KEYS[1], 'k:' .. j) == owner and startable(j) then push(j) end
  end
  for _, j in ipairs(deps) do
    if redis.call('HEXISTS', KEYS[1], 'k:' .. j) == 0 and startable(j) then push(j) end
  end
end
local left = tonumber(redis.call('HGET', KEYS[1], 'left'))
if #KEYS < 3 then return { left, unpack(out) } end
local full = { left, redis.call('HGET', KEYS[2], 'status') == 'running' and 1 or 0, redis.call('HGET', KEYS[3], 'customerId') or '' }
if #KEYS >= 5 and KEYS[4] ~= '' and left == 0 then
  local results = {}
  for j = 0, tonumber(redis.call('HGET', KEYS[1], 'n')) - 1 do
    results[#results + 1] = redis.call('HGET', KEYS[1], 'r:' .. j) or ''
  end
  full[4] = { redis.call('HGETALL', KEYS[2]), results, redis.call('LRANGE', KEYS[4], 0, -1),
    redis.call('LRANGE', KEYS[5], 0, -1), redis.call('HGET', KEYS[3], 'memory') or '' }
  return full
end
for k = 1, #out, 2 do
  local results = {}
  if out[k + 1] then
    for _, d in ipairs(cjson.decode(out[k + 1]).dependsOn or {}) do
      results[#results + 1] = redis.call('HGET', KEYS[1], 'r:' .. d) or ''
    end
  end
  full[#full + 1] = { out[k], out[k + 1], results, redis.call('HEXISTS', KEYS[1], 's:' .. out[k]) }
end
return full
`;

/** The event's script and DAG_COMPLETE as Lua functions over their own KEYS and ARGV, and `slice`. */
const EMIT_AND_COMPLETE_FNS = `
local function emit(KEYS, ARGV)
${EMIT_LUA}
end
local function complete(KEYS, ARGV)
${DAG_COMPLETE}
end
${SLICE_FN}`;

/**
 * DAG_COMPLETE with the call's tool.call event written in the same script (after the record, and not
 * by a runner whose job was taken over): the event and
 * the record were two EVALSHAs sent side by side after every call (two socket writes and two
 * replies to read; the write syscalls were the tool-worker's largest self time, session 9 part T),
 * and now they also land together or not at all. Each part is its own script run as a Lua
 * function over its slice of KEYS and ARGV (as the reasoning-worker's LLM_CALL does), so the
 * event's keys and TTLs stay defined in events.ts.
 * KEYS: 1–3 the event's (EMIT_LUA), then DAG_COMPLETE's · ARGV: 1 how many event arguments, then
 * the event's, then DAG_COMPLETE's · returns DAG_COMPLETE's reply.
 */
export const DAG_COMPLETE_WITH_EVENT = `
${EMIT_AND_COMPLETE_FNS}
local ne = tonumber(ARGV[1])
local r = complete(slice(KEYS, 4, #KEYS - 3), slice(ARGV, 2 + ne, #ARGV - 1 - ne))
-- A runner whose job was taken over (-3) records nothing, its event neither: the new holder's counts.
if r[1] ~= -3 then emit({ KEYS[1], KEYS[2], KEYS[3] }, slice(ARGV, 2, ne)) end
return r
`;

/**
 * DAG_COMPLETE_WITH_EVENT, then the turn's observe step (the store's ADVANCE) when this record
 * ended the turn: the step decided by the job that ran the turn's last call, on what DAG_START
 * returned it and the results it knows (ADR 0041). It applies only if this record is the first of
 * the call's result (not a repeat's), no call is left, and every other call's stored result and
 * the conversation's working memory are the ones the step was decided on (their SHA-1s); the
 * scratchpad, the loop history and the query are ADVANCE's compare-and-set's (nothing writes them
 * while the turn's calls run). Else nothing but the record and the event is written, and the
 * caller takes the step as before.
 * KEYS: 1–3 the event's, then DAG_COMPLETE's (`nk` of them; its 2nd–5th present, the 4th and 5th
 * ''), then ADVANCE's · ARGV: 1 how many event arguments, 2 nk, 3 how many DAG_COMPLETE
 * arguments, 4 the memory's SHA-1, 5 the turn's calls n, 6…5+n each call's result SHA-1 ('' for
 * this call), then the event's, DAG_COMPLETE's and ADVANCE's arguments.
 * Returns {DAG_COMPLETE's reply, ADVANCE's reply or false}.
 */
export const DAG_COMPLETE_AND_OBSERVE = `
${EMIT_AND_COMPLETE_FNS}
local function advance(KEYS, ARGV)
${ADVANCE}
end
local ne, nk, na, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[5])
local at = 6 + n
local completeArgv = slice(ARGV, at + ne, na)
local dag, idx = KEYS[4], completeArgv[1]
local fresh = redis.call('HEXISTS', dag, 'r:' .. idx) == 0
local r = complete(slice(KEYS, 4, nk), completeArgv)
if r[1] ~= -3 then emit({ KEYS[1], KEYS[2], KEYS[3] }, slice(ARGV, at, ne)) end
if not fresh or r[1] ~= 0 then return { r, false } end
for j = 0, n - 1 do
  if tostring(j) ~= idx and redis.sha1hex(redis.call('HGET', dag, 'r:' .. j) or '') ~= ARGV[6 + j] then return { r, false } end
end
if redis.sha1hex(redis.call('HGET', KEYS[6], 'memory') or '') ~= ARGV[4] then return { r, false } end
return { r, advance(slice(KEYS, 4 + nk, #KEYS - 3 - nk), slice(ARGV, at + ne + na, #ARGV - at + 1 - ne - na)) }
`;
