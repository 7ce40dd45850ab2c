// The one script that applies an operator action (see control's decideOperatorAction): the
// decision was made from a loaded snapshot, so the script first checks the record still is that
// snapshot, then writes the record, the messages, the reply and its delivery job, the release of
// the conversation and the event in one step.
import { OUTBOX_FN } from './lua.ts';

export const HANDOFF_ACT = OUTBOX_FN + `
-- KEYS: 1 handoff, 2 handoffMsgs, 3 conv, 4 convMsgs, 5 reply query ('' = no reply)
-- ARGV: 1 expected state, 2 expected claimedBy ('' none), 3 new state, 4 new claimedBy, 5 '1' = release the conversation,
--       6 handoff entry json ('' none), 7 conversation message json ('' none), 8 reply query fields json ('' none),
--       9 outbox json, 10 prefix, 11 nowMs, 12 event json, 13 ttl, 14 time field to set ('' none), 15 handoffId
--       16 stream max length
-- returns {'stale'} | {'duplicate'} | {'ok', outbox members...}
local h = redis.call('HMGET', KEYS[1], 'state', 'claimedBy')
if (h[1] or '') ~= ARGV[1] or (h[2] or '') ~= ARGV[2] then return {'stale'} end
local now = tonumber(ARGV[11])
if KEYS[5] ~= '' then
  if redis.call('EXISTS', KEYS[5]) == 1 then return {'duplicate'} end
  for k, v in pairs(cjson.decode(ARGV[8])) do redis.call('HSET', KEYS[5], k, tostring(v)) end
  redis.call('EXPIRE', KEYS[5], tonumber(ARGV[13]))
end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'claimedBy', ARGV[4], 'updatedMs', now)
if ARGV[14] ~= '' and redis.call('HEXISTS', KEYS[1], ARGV[14]) == 0 then redis.call('HSET', KEYS[1], ARGV[14], now) end
if ARGV[6] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[6])
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[13]))
end
if ARGV[7] ~= '' then
  redis.call('RPUSH', KEYS[4], ARGV[7])
  redis.call('EXPIRE', KEYS[4], tonumber(ARGV[13]))
end
if ARGV[3] ~= 'open' then redis.call('ZREM', ARGV[10] .. ':handoffs:unclaimed', ARGV[15]) end
if ARGV[3] == 'resolved' or ARGV[3] == 'returned' then
  redis.call('ZADD', ARGV[10] .. ':handoffs:closed', now, ARGV[15])
  redis.call('EXPIRE', ARGV[10] .. ':handoffs:closed', tonumber(ARGV[13]))
end
if ARGV[5] == '1' and redis.call('HGET', KEYS[3], 'handoffId') == ARGV[15] then
  redis.call('HDEL', KEYS[3], 'answeredBy', 'handoffId')
end
local jobs = outbox_add(ARGV[10], now, ARGV[9])
redis.call('XADD', ARGV[10] .. ':events', 'MAXLEN', '~', ARGV[16], '*', 'e', ARGV[12])
redis.call('PUBLISH', ARGV[10] .. ':handoffs:live', ARGV[12])
-- The customer's side (web chat, API clients) follows its own conversation (keys.conversationChannel).
redis.call('PUBLISH', KEYS[3] .. ':live', ARGV[12])
return {'ok', unpack(jobs)}
`;

/**
 * An operator takes a conversation over: it must be idle (no query running or waiting, else the
 * agent's answer would cross the person's) and not already owned by a person. The handoff is
 * created claimed by that operator, with the channel, recipient and language of the
 * conversation's last query, and the conversation belongs to the person in the same step.
 */
export const HANDOFF_TAKE_OVER = `
-- KEYS: 1 conv, 2 convQueries, 3 handoff ; ARGV: 1 handoffId, 2 conversationId, 3 operator, 4 nowMs, 5 prefix, 6 ttl, 7 traceId
-- returns {'owned'} | {'busy'} | {'missing'} | {'ok'}
if redis.call('HGET', KEYS[1], 'answeredBy') == 'person' then return {'owned'} end
local active = redis.call('HGET', KEYS[1], 'activeQueryId')
if active and active ~= '' then
  local st = redis.call('HGET', ARGV[5] .. ':q:' .. active, 'status')
  if st == 'queued' or st == 'running' then return {'busy'} end
end
local last = redis.call('LINDEX', KEYS[2], -1)
if not last then return {'missing'} end
local q = redis.call('HMGET', ARGV[5] .. ':q:' .. last, 'channel', 'recipient', 'language', 'customerId')
local now = tonumber(ARGV[4])
redis.call('HSET', KEYS[3], 'queryId', ARGV[1], 'conversationId', ARGV[2], 'channel', q[1] or 'api', 'language', q[3] or 'en',
  'customerId', q[4] or '', 'summary', '', 'reason', 'operator', 'traceId', ARGV[7], 'createdMs', now, 'state', 'claimed',
  'claimedBy', ARGV[3], 'claimedMs', now, 'updatedMs', now)
if q[2] then redis.call('HSET', KEYS[3], 'recipient', q[2]) end
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[6]))
redis.call('ZADD', ARGV[5] .. ':handoffs', now, ARGV[1])
redis.call('EXPIRE', ARGV[5] .. ':handoffs', tonumber(ARGV[6]))
redis.call('HSET', KEYS[1], 'answeredBy', 'person', 'handoffId', ARGV[1])
return {'ok'}
`;
