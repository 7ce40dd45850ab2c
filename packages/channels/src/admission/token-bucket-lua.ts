import { TAKE_TOKENS_FN } from '@steward/store';

/**
 * The buckets taken on their own, for an `admit` called outside the accept script (the accept
 * script charges the same buckets with the same function, see the store's token-bucket-lua.ts).
 *
 * KEYS: bucket hashes {tokens, ts}. ARGV: rate₁ (tokens/s), burst₁, rate₂, burst₂, …
 * Returns {1, 0} when admitted, {0, waitMs} when refused.
 */
export const TAKE_TOKENS = TAKE_TOKENS_FN + `
local wait = take_tokens(KEYS, ARGV, 1)
if wait > 0 then return {0, wait} end
return {1, 0}
`;
