// Head/tail truncation by tokens: the beginning of a record says what it is (ids, status), the
// end often says how it ended (totals, last event); the middle is what can go.
import { decode, encode } from './encode.ts';
import { countTokens } from './count-tokens.ts';
import { truncationMarker } from './constants.ts';

export interface Truncated {
  text: string;
  truncated: boolean;
  /** Tokens of the returned text. */
  tokens: number;
}

/** Share of the kept tokens taken from the head; the rest comes from the tail. */
const HEAD_SHARE = 0.6;
/**
 * Only this many characters per wanted token are tokenised at each end, so cutting a 1 MB tool
 * result costs as much as cutting a 10 kB one. Text averaging more characters per token than this
 * (long runs of one repeated symbol) is cut a little shorter than it had to be.
 */
const CHARS_PER_TOKEN_BOUND = 8;

/**
 * Cut `text` to at most `maxTokens` tokens, keeping the head and the tail and marking the cut
 * with the number of characters left out. The marker counts against the budget. A character
 * split at a token boundary is dropped rather than sent half-decoded.
 */
export function truncateHeadTail(text: string, maxTokens: number, model: string): Truncated {
  if (maxTokens <= 0) return { text: '', truncated: text.length > 0, tokens: 0 };
  const window = maxTokens * CHARS_PER_TOKEN_BOUND;
  if (text.length <= 2 * window) {
    const tokens = countTokens(text, model);
    if (tokens <= maxTokens) return { text, truncated: false, tokens };
  }
  // Token ids of both ends only; they never overlap because the text is longer than the kept part.
  const headIds = encode(text.slice(0, Math.min(text.length, window)), model);
  const tailStart = Math.max(0, text.length - window);
  const tailIds = encode(text.slice(tailStart), model);
  let keep = Math.max(0, maxTokens - countTokens(truncationMarker(text.length), model));
  for (;;) {
    const headN = Math.min(Math.ceil(keep * HEAD_SHARE), headIds.length);
    const tailN = Math.min(keep - headN, tailIds.length);
    const head = clean(decode(headIds.slice(0, headN), model));
    const tail = tailN > 0 ? clean(decode(tailIds.slice(tailIds.length - tailN), model)) : '';
    const omitted = Math.max(0, text.length - head.length - tail.length);
    const out = head + truncationMarker(omitted) + tail;
    const tokens = countTokens(out, model);
    // Re-tokenising the joined pieces can merge or split at the seams; shrink until it fits.
    if (tokens <= maxTokens) return { text: out, truncated: true, tokens };
    if (keep === 0) return hardCut(headIds, maxTokens, model);
    keep = Math.max(0, keep - (tokens - maxTokens));
  }
}

/** When even the marker does not fit: the longest token prefix that fits, no marker. */
function hardCut(ids: number[], maxTokens: number, model: string): Truncated {
  for (let n = Math.min(maxTokens, ids.length); n > 0; n--) {
    const out = clean(decode(ids.slice(0, n), model));
    const tokens = countTokens(out, model);
    if (tokens <= maxTokens) return { text: out, truncated: true, tokens };
  }
  return { text: '', truncated: true, tokens: 0 };
}

/** U+FFFD comes from decoding half of a multi-byte character. */
function clean(s: string): string {
  return s.replace(/\uFFFD/g, '');
}
