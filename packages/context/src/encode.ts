// Our own BPE loop over js-tiktoken's rank table. js-tiktoken's merge rebuilds a string key for
// every pair on every pass, which made a 64-character Chinese run cost ~100 ms and a 6,000-
// character one ~50 s (a CJK run without punctuation is one pre-tokenised piece). This loop
// recomputes only the two ranks next to each merge and keys ranks by byte strings (substrings
// are cheap keys). Pieces longer than PIECE_MAX_BYTES (a long
// CJK run, a run of spaces) are still merged in slices to bound the quadratic worst case; that
// can shift the count by about a token per slice, only in such pieces.
import type { Tiktoken } from 'js-tiktoken/lite';
import { encoderForModel } from './encodings.ts';

/** The parts of js-tiktoken's encoder we use; present in 1.0.x, checked at run time. */
interface EncoderInternals {
  patStr: string;
  rankMap: Map<string, number>;
}

interface Fast {
  pat: RegExp;
  /** Rank by token bytes as a one-char-per-byte string: substrings are cheap keys. */
  ranks: Map<string, number>;
}

const PIECE_MAX_BYTES = 384;
const utf8 = new TextEncoder();
const fast = new WeakMap<Tiktoken, Fast | null>();

function internals(enc: Tiktoken): Fast | null {
  let v = fast.get(enc);
  if (v === undefined) {
    const i = enc as unknown as Partial<EncoderInternals>;
    if (typeof i.patStr === 'string' && i.rankMap instanceof Map) {
      // js-tiktoken keys its ranks by "b1,b2,…"; re-key them once (~0.2 s) by byte string.
      const ranks = new Map<string, number>();
      for (const [k, rank] of i.rankMap) ranks.set(String.fromCharCode(...k.split(',').map(Number)), rank);
      v = { pat: new RegExp(i.patStr, 'gu'), ranks };
    } else v = null;
    fast.set(enc, v);
  }
  return v;
}

/** Token ids of `text`; special-token strings are encoded as ordinary text. */
export function encode(text: string, model: string): number[] {
  const ids: number[] = [];
  encodeInto(encoderForModel(model), text, ids);
  return ids;
}

export function decode(ids: number[], model: string): string {
  return encoderForModel(model).decode(ids);
}

function byteString(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

function encodeInto(enc: Tiktoken, text: string, out: number[]): void {
  const x = internals(enc);
  if (!x) {
    out.push(...enc.encode(text, [], []));
    return;
  }
  x.pat.lastIndex = 0;
  for (const m of text.matchAll(x.pat)) {
    const piece = byteString(utf8.encode(m[0]));
    const whole = x.ranks.get(piece);
    if (whole !== undefined) out.push(whole);
    else if (piece.length <= PIECE_MAX_BYTES) bytePairEncode(piece, x.ranks, out);
    // Byte-level BPE accepts any byte slice, so a cut inside a character is still encodable.
    else for (let i = 0; i < piece.length; i += PIECE_MAX_BYTES) bytePairEncode(piece.slice(i, i + PIECE_MAX_BYTES), x.ranks, out);
  }
}

/** tiktoken's merge: repeatedly join the adjacent pair with the lowest rank. */
function bytePairEncode(piece: string, ranks: Map<string, number>, out: number[]): void {
  // starts[i] = start byte of part i; a part ends where the next one starts.
  const starts = Array.from({ length: piece.length + 1 }, (_, i) => i);
  const pairRank = (i: number): number =>
    i + 2 < starts.length ? (ranks.get(piece.slice(starts[i], starts[i + 2])) ?? Infinity) : Infinity;
  const rank: number[] = starts.slice(0, -1).map((_, i) => pairRank(i));
  for (;;) {
    let best = Infinity;
    let at = -1;
    for (let i = 0; i < rank.length - 1; i++) {
      if (rank[i]! < best) {
        best = rank[i]!;
        at = i;
      }
    }
    if (at < 0) break;
    starts.splice(at + 1, 1);
    rank.splice(at + 1, 1);
    rank[at] = pairRank(at);
    if (at > 0) rank[at - 1] = pairRank(at - 1);
  }
  for (let i = 0; i + 1 < starts.length; i++) {
    const id = ranks.get(piece.slice(starts[i], starts[i + 1]));
    if (id !== undefined) out.push(id);
  }
}
