// Once a query is archived, Redis only needs it while it is hot: its records get a short TTL
// (never a longer one — a key about to expire anyway is left alone). The conversation's own
// keys keep their TTL: they are the live memory of a customer who may write again.
import type { Redis } from 'ioredis';
import type { Keys } from '@steward/store';

const SHORTEN = `
for i, k in ipairs(KEYS) do
  local t = redis.call('TTL', k)
  if t == -1 or t > tonumber(ARGV[1]) then redis.call('EXPIRE', k, ARGV[1]) end
end
return 1`;

export async function shortenHotTtl(redis: Redis, keys: Keys, queryIds: readonly string[], ttlSec: number): Promise<void> {
  for (const q of queryIds) {
    const ks = [keys.query(q), keys.querySteps(q), keys.queryHistory(q), keys.queryEvents(q)];
    await redis.eval(SHORTEN, ks.length, ...ks, ttlSec);
  }
}
