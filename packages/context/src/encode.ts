// Our own BPE loop over the encoding's rank table (encodings.ts). js-tiktoken's merge rebuilds a
// string key for every pair on every pass, which made a 64-character Chinese run cost ~100 ms and a
// 6,000-character one ~50 s (a CJK run without punctuation is one pre-tokenised piece). This loop
// recomputes only the two ranks next to each merge and keys ranks by byte strings (substrings
// are cheap keys). Pieces longer than PIECE_MAX_BYTES (a long CJK run, a run of spaces) are still
// merged in slices to bound the quadratic worst case; that can shift the count by about a token
// per slice, only in such pieces.
//
// Counting (countPieces) remembers the token count of each pre-tokenised piece: prompts repeat
// the same words, JSON keys and ids turn after turn, so most pieces cost one map lookup instead
// of a UTF-8 encode and a merge loop.
import { tableForModel, type BpeTable } from './encodings.ts';

const PIECE_MAX_BYTES = 384;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

/** Pieces whose counts are remembered, per encoding; bounded so odd input cannot grow it. */
const PIECE_CACHE_MAX = 50_000;
/** Longer pieces (a long CJK run, a base64 blob) are rarely repeated: not remembered. */
const PIECE_CACHE_MAX_CHARS = 48;
const pieceCounts = new WeakMap<BpeTable, Map<string, number>>();

/** Token ids of `text`; special-token strings are encoded as ordinary text. */
export function encode(text: string, model: string): number[] {
  const t = tableForModel(model);
  const ids: number[] = [];
  for (const piece of piecesOf(text, t)) encodePiece(piece, t.ranks, ids);
  return ids;
}

/** Tokens of `text`, exactly `encode(text, model).length`, with counts of repeated pieces remembered. */
export function countPieces(text: string, model: string): number {
  const t = tableForModel(model);
  let cache = pieceCounts.get(t);
  if (!cache) pieceCounts.set(t, (cache = new Map()));
  const scratch: number[] = [];
  let n = 0;
  for (const piece of piecesOf(text, t)) {
    const hit = cache.get(piece);
    if (hit !== undefined) {
      n += hit;
      continue;
    }
    scratch.length = 0;
    encodePiece(piece, t.ranks, scratch);
    n += scratch.length;
    if (piece.length <= PIECE_CACHE_MAX_CHARS) {
      // Oldest out first: a plain insertion-order bound, cheaper than an LRU on this hot path.
      if (cache.size >= PIECE_CACHE_MAX) cache.delete(cache.keys().next().value!);
      cache.set(piece, scratch.length);
    }
  }
  return n;
}

const NO_PIECES: readonly string[] = [];

/**
 * The pre-tokenised pieces of `text`, in order: `match` with the global pattern, which is exactly
 * the `[0]` of each `matchAll` result (every alternative matches at least one character, so both
 * advance alike). It builds one array of strings; matchAll built a match object per piece (its
 * index, input and groups), the largest share of counting a new text (issue 17).
 */
function piecesOf(text: string, t: BpeTable): readonly string[] {
  return text.match(t.pat) ?? NO_PIECES;
}

export function decode(ids: number[], model: string): string {
  const t = tableForModel(model);
  let s = '';
  for (const id of ids) {
    const bytes = t.bytesOf[id];
    if (bytes !== undefined) s += bytes;
    else {
      const special = t.specialById.get(id);
      if (special !== undefined) s += byteString(utf8.encode(special));
    }
  }
  return utf8Decoder.decode(Buffer.from(s, 'latin1'));
}

function byteString(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

/** ASCII text is its own UTF-8 byte string: no encode needed (most English and JSON pieces). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function encodePiece(text: string, ranks: Map<string, number>, out: number[]): void {
  const piece = isAscii(text) ? text : byteString(utf8.encode(text));
  const whole = ranks.get(piece);
  if (whole !== undefined) out.push(whole);
  else if (piece.length <= PIECE_MAX_BYTES) bytePairEncode(piece, ranks, out);
  // Byte-level BPE accepts any byte slice, so a cut inside a character is still encodable.
  else for (let i = 0; i < piece.length; i += PIECE_MAX_BYTES) bytePairEncode(piece.slice(i, i + PIECE_MAX_BYTES), ranks, out);
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
