// Lua scripts for the steps that must be atomic. Keys of one query or conversation are built
// inside a script from the prefix only where the set of keys depends on data (the active
// query of a conversation); with the hash-tag prefix they all live in one cluster slot.
import { TAKE_TOKENS_FN } from './token-bucket-lua.ts';
import { BULL_ADD_ARITY, BULL_ADD_FN } from './bull-add.ts';

/** Add committed jobs to the outbox (members are job JSON; see outbox.ts). */
export const OUTBOX_FN = `
local function outbox_add(prefix, now, json)
  local out = {}
  for _, m in ipairs(cjson.decode(json)) do
    redis.call('ZADD', prefix .. ':outbox', 'NX', now, m)
    out[#out + 1] = m
  end
  return out
end
`;

/**
 * queued → running inside the script that decides the start (accept, or the completion of the
 * query ahead): the customer's message joins the conversation, the deadline is indexed in the
 * `deadlines` set (the controllers' deadline poll ends the query there: no job per query, ADR
 * 0027), and turn 0's reasoning job is added to BullMQ in the same step (bull_add, ADR 0040), so
 * no crash can leave a query running without it. Returns the outbox members it wrote (none since
 * the job is added here; the callers' relay of them stays for the shape of their replies).
 * Job ids here must match core's jobIds (a test checks it).
 */
const START_FN = OUTBOX_FN + BULL_ADD_FN + `
local function start_query(prefix, qid, now, convTtl)
  local qk = prefix .. ':q:' .. qid
  local f = redis.call('HMGET', qk, 'status', 'conversationId', 'text', 'deadlineMs')
  if f[1] ~= 'queued' then return {} end
  local at = now + (tonumber(f[4]) or 30000)
  redis.call('HSET', qk, 'status', 'running', 'state', 'reasoning', 'turn', 0, 'startedMs', now, 'deadlineAtMs', at)
  local mk = prefix .. ':conv:' .. f[2] .. ':msgs'
  redis.call('RPUSH', mk, cjson.encode({ role = 'user', content = f[3] }))
  redis.call('EXPIRE', mk, convTtl)
  redis.call('ZADD', prefix .. ':deadlines', at, qid)
  bull_add(prefix, 'reasoning', qid .. ':t0:reason', cjson.encode({ queryId = qid, turn = 0 }), now)
  return {}
end
`;


/**
 * A customer message in a conversation a person owns: it ends at once as held (no agent turn,
 * no answer), joins the conversation (so the agent sees it after a hand-back) and the handoff's
 * messages, and is announced on the event stream and the inbox's live channel.
 */
const HOLD_FN = `
local function hold_message(prefix, qid, hid, now, convTtl, streamMax)
  local qk = prefix .. ':q:' .. qid
  local f = redis.call('HMGET', qk, 'conversationId', 'text', 'traceId')
  redis.call('HSET', qk, 'status', 'completed', 'state', 'handed_off', 'outcome', 'handoff', 'reason', 'handoff',
    'answer', '', 'completedMs', now, 'handoffId', hid)
  local mk = prefix .. ':conv:' .. f[1] .. ':msgs'
  redis.call('RPUSH', mk, cjson.encode({ role = 'user', content = f[2] }))
  redis.call('EXPIRE', mk, convTtl)
  local hk = prefix .. ':hrec:' .. hid .. ':msgs'
  redis.call('RPUSH', hk, cjson.encode({ from = 'customer', text = f[2], ts = now, queryId = qid }))
  redis.call('EXPIRE', hk, convTtl)
  -- Only on a record that exists: a bare hash here would have no expiry.
  if redis.call('EXISTS', prefix .. ':hrec:' .. hid) == 1 then redis.call('HSET', prefix .. ':hrec:' .. hid, 'lastCustomerMs', now) end
  local ev = cjson.encode({ id = qid .. ':held', type = 'handoff.message', ts = now, queryId = qid, conversationId = f[1],
    traceId = f[3], data = { handoffId = hid, from = 'customer' } })
  redis.call('XADD', prefix .. ':events', 'MAXLEN', '~', streamMax, '*', 'e', ev)
  redis.call('RPUSH', prefix .. ':qev:' .. qid, ev)
  redis.call('EXPIRE', prefix .. ':qev:' .. qid, convTtl)
  redis.call('PUBLISH', prefix .. ':qev:' .. qid .. ':live', ev)
  redis.call('PUBLISH', prefix .. ':handoffs:live', ev)
end
`;

/**
 * Accept a customer message: de-duplicate, check the conversation's owner and customer, bind
 * them, create the query, queue or start it — or hold it for the person who answers the
 * conversation (atomically). A refusal writes nothing.
 */
export const ACCEPT = START_FN + HOLD_FN + TAKE_TOKENS_FN + `
-- KEYS: 1 dedupe, 2 query, 3 conv, 4 convPending, 5 convQueries, 6 event stream, 7 the query's events,
--       8.. the admission buckets to charge (none on a retry after 'stale': the first call charged them)
-- ARGV: 1 queryId, 2 dedupeTtl, 3 customerId or '', 4 queryTtl, 5 prefix, 6 convTtl, 7 nowMs,
--       8 route the caller decided ('agent' | 'person'), 9 streamMaxLen, 10 principal,
--       11 the query.accepted event JSON if started, 12 the same if queued ('' = none), 13 the query's live channel,
--       14.. rate, burst of each bucket, then field/value pairs
-- Admission first, as when it was its own call before the accept: a refusal writes nothing.
local buckets = {}
for i = 8, #KEYS do buckets[#buckets + 1] = KEYS[i] end
local wait = take_tokens(buckets, ARGV, 14)
if wait > 0 then return {'rate_limited', tostring(wait)} end
-- The accepted event goes out with the accept (as events.ts writes it): one trip, never lost to a crash.
local function accepted(ev)
  if ev == '' then return end
  redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[9], '*', 'e', ev)
  redis.call('RPUSH', KEYS[7], ev)
  redis.call('EXPIRE', KEYS[7], ARGV[4], 'NX')
  redis.call('PUBLISH', ARGV[13], ev)
end
-- The route was decided from who answers the conversation (answeredBy) as the caller loaded it:
-- if that changed since, nothing is written and the caller decides again ('stale').
local answeredBy = redis.call('HGET', KEYS[3], 'answeredBy')
if (answeredBy == 'person') ~= (ARGV[8] == 'person') then return {'stale'} end
if KEYS[1] ~= '' then
  local existing = redis.call('GET', KEYS[1])
  if existing then return {'duplicate', existing} end
end
local conv = redis.call('HMGET', KEYS[3], 'owner', 'customerId')
local owner, cust = conv[1], conv[2]
-- A conversation belongs to the principal that created it (one created before owners existed
-- is claimed by the next one to write to it).
if owner and owner ~= '' and owner ~= ARGV[10] then return {'forbidden', ''} end
if ARGV[3] ~= '' then
  if cust and cust ~= '' and cust ~= ARGV[3] then return {'conflict', ''} end
  if not cust or cust == '' then redis.call('HSET', KEYS[3], 'customerId', ARGV[3]) end
end
if not owner or owner == '' then redis.call('HSET', KEYS[3], 'owner', ARGV[10]) end
if KEYS[1] ~= '' then redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2])) end
local fields = {}
for i = 14 + 2 * #buckets, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4]))
redis.call('RPUSH', KEYS[5], ARGV[1])
redis.call('EXPIRE', KEYS[5], tonumber(ARGV[6]))
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[6]))
if ARGV[8] == 'person' then
  local hid = redis.call('HGET', KEYS[3], 'handoffId')
  hold_message(ARGV[5], ARGV[1], hid, tonumber(ARGV[7]), tonumber(ARGV[6]), ARGV[9])
  return {'held', hid}
end
local active = redis.call('HGET', KEYS[3], 'activeQueryId')
if active and active ~= '' then
  local st = redis.call('HGET', ARGV[5] .. ':q:' .. active, 'status')
  if st == 'queued' or st == 'running' then
    redis.call('RPUSH', KEYS[4], ARGV[1])
    redis.call('EXPIRE', KEYS[4], tonumber(ARGV[6]))
    accepted(ARGV[12])
    return {'queued', active}
  end
end
redis.call('HSET', KEYS[3], 'activeQueryId', ARGV[1])
local jobs = start_query(ARGV[5], ARGV[1], tonumber(ARGV[7]), tonumber(ARGV[6]))
accepted(ARGV[11])
return {'start', ARGV[1], unpack(jobs)}
`;

/** queued → running: append the customer's message to the conversation, set the deadline. */
export const BEGIN = `
-- KEYS: 1 query, 2 convMsgs ; ARGV: 1 startedMs, 2 deadlineAtMs, 3 userMessageJson, 4 convTtl
local st = redis.call('HGET', KEYS[1], 'status')
if st ~= 'queued' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'running', 'state', 'reasoning', 'turn', 0, 'startedMs', ARGV[1], 'deadlineAtMs', ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4]))
return 1
`;

/**
 * Move a running query from (state, turn) to (newState, newTurn) exactly once, applying its
 * side effects in the same step. Returns 1 when applied, 0 when the query is elsewhere
 * (a redelivered step), -1 when it has ended. The step's jobs are added to BullMQ here
 * (bull_add, ADR 0040); a job held for the caller's own step or a delayed one goes to the outbox.
 */
export const ADVANCE = START_FN + `
-- KEYS: 1 query, 2 steps, 3 history, 4 dag of the turn ('' = none), 5 conversation ('' = none)
-- ARGV: 1 state, 2 turn, 3 newState, 4 newTurn, 5 hsetJson, 6 hincrJson, 7 number of steps, 8 number of
--       history entries, 9 ttl, 10 prefix, 11 nowMs, 12 number of outbox members, 13 dagCallsJson ('' = none),
--       14 conversation hsetJson, 15 conversation hdelJson, 16 number of jobs added here (bull_add), 17… the
--       steps, then the history entries, then the outbox members, one argument each (sent as they are
--       stored: a JSON array of them would encode each twice), then bull_add's three arguments per job
local q = redis.call('HMGET', KEYS[1], 'status', 'state', 'turn')
if q[1] == 'completed' or q[1] == 'failed' then return -1 end
if q[2] ~= ARGV[1] or tonumber(q[3]) ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'turn', ARGV[4])
for k, v in pairs(cjson.decode(ARGV[5])) do redis.call('HSET', KEYS[1], k, tostring(v)) end
for k, v in pairs(cjson.decode(ARGV[6])) do
  redis.call('HINCRBYFLOAT', KEYS[1], k, v)
end
local nSteps, nHistory, nJobs, nAdds = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[12]), tonumber(ARGV[16])
for i = 17, 16 + nSteps do redis.call('RPUSH', KEYS[2], ARGV[i]) end
for i = 17 + nSteps, 16 + nSteps + nHistory do redis.call('RPUSH', KEYS[3], ARGV[i]) end
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[9]))
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[9]))
if KEYS[4] ~= '' and ARGV[13] ~= '' and redis.call('EXISTS', KEYS[4]) == 0 then
  local calls = cjson.decode(ARGV[13])
  local left = 0
  for i, c in ipairs(calls) do
    local idx = i - 1
    redis.call('HSET', KEYS[4], 'p:' .. idx, c.pending, 'dp:' .. idx, cjson.encode(c.dependents))
    if c.job then redis.call('HSET', KEYS[4], 'c:' .. idx, c.job) end
    if c.result then redis.call('HSET', KEYS[4], 'r:' .. idx, c.result) else left = left + 1 end
  end
  redis.call('HSET', KEYS[4], 'n', #calls, 'left', left)
  redis.call('EXPIRE', KEYS[4], tonumber(ARGV[9]))
end
if KEYS[5] ~= '' then
  for k, v in pairs(cjson.decode(ARGV[14])) do redis.call('HSET', KEYS[5], k, tostring(v)) end
  for _, k in ipairs(cjson.decode(ARGV[15])) do redis.call('HDEL', KEYS[5], k) end
end
local now = tonumber(ARGV[11])
local at = 17 + nSteps + nHistory
for i = at, at + nJobs - 1 do
  redis.call('ZADD', ARGV[10] .. ':outbox', 'NX', now, ARGV[i])
end
at = at + nJobs
for i = 0, nAdds - 1 do
  local j = at + i * ${BULL_ADD_ARITY}
  bull_add(ARGV[10], ARGV[j], ARGV[j + 1], ARGV[j + 2], now)
end
return 1
`;

/**
 * End a query exactly once: store the outcome, append the answer to the conversation, emit
 * the completion event, add its follow-up jobs to BullMQ (a delayed one to the outbox), and hand the conversation to the
 * next queued query, started in the same step.
 */
export const COMPLETE = START_FN + HOLD_FN + `
-- KEYS: 1 query, 2 conv, 3 convPending, 4 convMsgs, 5 events, 6 queryEvents
-- ARGV: 1 queryId, 2 hsetJson, 3 answerMessageJson or '', 4 eventJson, 5 streamMaxLen, 6 ttl, 7 liveChannel, 8 prefix, 9 convTtl, 10 hincrJson,
--       11 nowMs, 12 outboxJson (follow-up jobs: delivery, handoff), 13 '1' when the ending hands the conversation
--       to a person (its queued messages are then held for that person, not answered by the agent),
--       14 the follow-up jobs this script adds to BullMQ itself: a JSON array of bull_add's arguments per job
-- returns {1 applied | 0 already ended | -1 missing, nextQueryId or '', length of the conversation's messages, outbox members...}
local st = redis.call('HGET', KEYS[1], 'status')
if st == false then return {-1, '', -1} end
if st == 'completed' or st == 'failed' then return {0, '', -1} end
local now = tonumber(ARGV[11])
redis.call('ZREM', ARGV[8] .. ':deadlines', ARGV[1])
local jobs = outbox_add(ARGV[8], now, ARGV[12])
for _, a in ipairs(cjson.decode(ARGV[14] or '[]')) do bull_add(ARGV[8], a[1], a[2], a[3], now) end
for k, v in pairs(cjson.decode(ARGV[2])) do redis.call('HSET', KEYS[1], k, tostring(v)) end
for k, v in pairs(cjson.decode(ARGV[10])) do
  redis.call('HINCRBYFLOAT', KEYS[1], k, v)
end
if ARGV[3] ~= '' then
  redis.call('RPUSH', KEYS[4], ARGV[3])
  redis.call('EXPIRE', KEYS[4], tonumber(ARGV[9]))
end
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[5], '*', 'e', ARGV[4])
redis.call('RPUSH', KEYS[6], ARGV[4])
redis.call('EXPIRE', KEYS[6], tonumber(ARGV[6]))
redis.call('PUBLISH', ARGV[7], ARGV[4])
local nextId = ''
if ARGV[13] == '1' then
  redis.call('HSET', KEYS[2], 'answeredBy', 'person', 'handoffId', ARGV[1])
  if redis.call('HGET', KEYS[2], 'activeQueryId') == ARGV[1] then
    while true do
      local cand = redis.call('LPOP', KEYS[3])
      if not cand then break end
      if redis.call('HGET', ARGV[8] .. ':q:' .. cand, 'status') == 'queued' then
        hold_message(ARGV[8], cand, ARGV[1], now, tonumber(ARGV[9]), ARGV[5])
      end
    end
    redis.call('HDEL', KEYS[2], 'activeQueryId')
  end
elseif redis.call('HGET', KEYS[2], 'activeQueryId') == ARGV[1] then
  while true do
    local cand = redis.call('LPOP', KEYS[3])
    if not cand then break end
    if redis.call('HGET', ARGV[8] .. ':q:' .. cand, 'status') == 'queued' then nextId = cand break end
  end
  if nextId ~= '' then
    redis.call('HSET', KEYS[2], 'activeQueryId', nextId)
    for _, m in ipairs(start_query(ARGV[8], nextId, now, tonumber(ARGV[9]))) do jobs[#jobs + 1] = m end
  else
    redis.call('HDEL', KEYS[2], 'activeQueryId')
  end
end
-- The length lets the caller skip compaction's own LLEN when nothing is to be compacted.
return {1, nextId, redis.call('LLEN', KEYS[4]), unpack(jobs)}
`;

/**
 * `slice(t, from, n)`: n elements of t from index `from`, for scripts that run other scripts as
 * Lua functions, each over its own slice of KEYS and ARGV (the LLM call's, a call's record).
 */
export const SLICE_FN = `
local function slice(t, from, n)
  local out = {}
  for i = 1, n do out[i] = t[from + i - 1] end
  return out
end
`;
