/**
 * The admission token buckets as a Lua function, so the accept script can charge them in the
 * same call that accepts the message (one round trip per message instead of two), and the
 * channels package's standalone check runs the very same code.
 *
 * take_tokens(keys, specs, first): take one token from every bucket hash {tokens, ts} in
 * `keys`, or from none — a refused message never spends another bucket's token. `specs` holds
 * rate₁ (tokens/s), burst₁, rate₂, burst₂, … starting at index `first`. Time comes from the
 * Redis server (TIME) so ingress nodes with skewed clocks share one notion of "now".
 * Returns 0 when taken, else the whole ms until every bucket holds a token again.
 */
export const TAKE_TOKENS_FN = `
local function take_tokens(keys, specs, first)
  if #keys == 0 then return 0 end
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local levels = {}
  local wait = 0
  for i = 1, #keys do
    local rate = tonumber(specs[first + 2 * i - 2])
    local burst = tonumber(specs[first + 2 * i - 1])
    local h = redis.call('HMGET', keys[i], 'tokens', 'ts')
    local tokens = tonumber(h[1]) or burst
    local ts = tonumber(h[2]) or now
    tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
    levels[i] = tokens
    if tokens < 1 then
      local w = (1 - tokens) * 1000 / rate
      if w > wait then wait = w end
    end
  end
  if wait > 0 then return math.ceil(wait) end
  for i = 1, #keys do
    local rate = tonumber(specs[first + 2 * i - 2])
    local burst = tonumber(specs[first + 2 * i - 1])
    redis.call('HSET', keys[i], 'tokens', string.format('%.6f', levels[i] - 1), 'ts', now)
    redis.call('PEXPIRE', keys[i], math.ceil(burst * 1000 / rate) + 1000)
  end
  return 0
end
`;
