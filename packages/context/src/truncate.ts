// Head/tail truncation by tokens: the beginning of a record says what it is (ids, status), the
// end often says how it ended (totals, last event); the middle is what can go.
import { encoderForModel } from './encodings.ts';
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
 * Cut `text` to at most `maxTokens` tokens, keeping the head and the tail and marking the cut.
 * The marker counts against the budget. Decoding at a token boundary may split a multi-byte
 * character; the replacement character that results is dropped.
 */
export function truncateHeadTail(text: string, maxTokens: number, model: string): Truncated {
  const total = countTokens(text, model);
  if (total <= maxTokens) return { text, truncated: false, tokens: total };
  if (maxTokens <= 0) return { text: '', truncated: true, tokens: 0 };
  const enc = encoderForModel(model);
  const ids = enc.encode(text, [], []);
  // The marker's own size depends on the number in it; size it for the worst case, then settle.
  let keep = Math.max(0, maxTokens - countTokens(truncationMarker(ids.length), model));
  for (;;) {
    const head = Math.ceil(keep * HEAD_SHARE);
    const tail = keep - head;
    const omitted = ids.length - keep;
    const out =
      clean(enc.decode(ids.slice(0, head))) +
      truncationMarker(omitted) +
      clean(tail > 0 ? enc.decode(ids.slice(ids.length - tail)) : '');
    const tokens = countTokens(out, model);
    // Re-tokenising the joined pieces can merge or split at the seams; shrink until it fits.
    if (tokens <= maxTokens || keep === 0) {
      if (tokens <= maxTokens) return { text: out, truncated: true, tokens };
      return hardCut(text, maxTokens, model);
    }
    keep = Math.max(0, keep - (tokens - maxTokens));
  }
}

/** When even the marker does not fit: the longest token prefix that fits, no marker. */
function hardCut(text: string, maxTokens: number, model: string): Truncated {
  const enc = encoderForModel(model);
  const ids = enc.encode(text, [], []);
  for (let n = maxTokens; n > 0; n--) {
    const out = clean(enc.decode(ids.slice(0, n)));
    const tokens = countTokens(out, model);
    if (tokens <= maxTokens) return { text: out, truncated: true, tokens };
  }
  return { text: '', truncated: true, tokens: 0 };
}

function clean(s: string): string {
  return s.replace(/\uFFFD/g, '');
}
