/**
 * Take one token from every bucket in KEYS, or from none: the customer's and the channel's
 * buckets are checked and debited in one script, so a refused message never spends the
 * other bucket's token. Time comes from the Redis server (TIME) so ingress nodes with skewed
 * clocks share one notion of "now".
 *
 * KEYS: bucket hashes {tokens, ts}. ARGV: rate₁ (tokens/s), burst₁, rate₂, burst₂, …
 * Returns {1, 0} when admitted, {0, waitMs} when refused.
 */
export const TAKE_TOKENS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local levels = {}
local wait = 0
for i = 1, #KEYS do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local h = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
  local tokens = tonumber(h[1]) or burst
  local ts = tonumber(h[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
  levels[i] = tokens
  if tokens < 1 then
    local w = (1 - tokens) * 1000 / rate
    if w > wait then wait = w end
  end
end
if wait > 0 then return {0, math.ceil(wait)} end
for i = 1, #KEYS do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  redis.call('HSET', KEYS[i], 'tokens', string.format('%.6f', levels[i] - 1), 'ts', now)
  redis.call('PEXPIRE', KEYS[i], math.ceil(burst * 1000 / rate) + 1000)
end
return {1, 0}
`;
