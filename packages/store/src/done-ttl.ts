// A query that has ended keeps its records only for reading (API, traces, the archiver): they get
// the short QUERY_DONE_TTL_SEC. EXPIRE … LT only ever shortens, so an archiver that already set
// a shorter hot TTL, or a key about to expire, is left alone.
export const DONE_TTL = `
-- KEYS: 1 query, 2 steps, 3 history, 4 query events ; ARGV: 1 ttl, 2 the DAG key of turn n without n
local ttl = tonumber(ARGV[1])
for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ttl, 'LT') end
local turns = tonumber(redis.call('HGET', KEYS[1], 'turn') or '0') or 0
for t = 0, turns do redis.call('EXPIRE', ARGV[2] .. t, ttl, 'LT') end
return 1
`;
