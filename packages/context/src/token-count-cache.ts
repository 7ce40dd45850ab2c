// Token counts remembered by content. A prompt is rebuilt every turn from mostly the same text —
// the system prompt, the policy, the tool definitions, the earlier messages and tool results —
// and each shedding pass counts it again; counting each distinct text once is what keeps prompt
// building cheap (issue 17: token counting was ~45 % of a reasoning-worker's CPU).
//
// Texts up to TEXT_KEY_MAX_CHARS are their own keys, in one map per namespace (encoding): a
// lookup costs V8's string hash, computed once per string object and kept in it, plus a memcmp
// when another object holds the same text. Keying them by a SHA-1 instead cost ~3 % of a
// reasoning-worker's CPU (UTF-8 encoding, a hash object and a base64 digest per lookup) and
// building "namespace + text" keys copied every text on every lookup. Longer texts (a runaway
// tool result) are keyed by a SHA-1, so the cache never keeps one alive. Least recently used out
// first, bounded in entries and in the characters of the texts it keeps.
//
// A hit moves its entry to the young end only when the entry sits in the older half of the
// order: moving every hit (a Map delete and set) was the single largest cost of a cached count
// (scripts/bench-turn-cpu.ts: 1.26/0.98 -> 0.70/0.60 ms per query). An entry in the younger
// half is behind at least half of the others, so the eviction order stays least recently used
// first except among entries that were all used recently.
import { createHash } from 'node:crypto';

/** Texts up to this many characters are keys themselves; longer ones are keyed by a hash. */
export const TEXT_KEY_MAX_CHARS = 16_384;

/** A value and when it last moved to the young end (the cache's clock at that time). */
interface Entry<V> {
  v: V;
  at: number;
}

/**
 * Values remembered by text, per namespace: the keying, bounds and eviction described above,
 * for any value computed from a text alone (a token count, a prefix hash).
 */
export class TextCache<V> {
  private readonly maps = new Map<string, Map<string, Entry<V>>>();
  /** Advances at each insertion and each move: entries of a map are ordered by it. */
  private clock = 0;
  private entries = 0;
  private chars = 0;
  hits = 0;
  misses = 0;

  readonly maxEntries: number;
  /** Bound on the characters of all keys kept (text keys count their length). */
  readonly maxChars: number;

  constructor(maxEntries: number, maxChars = Number.POSITIVE_INFINITY) {
    if (!(maxEntries > 0)) throw new RangeError('maxEntries must be positive');
    if (!(maxChars > 0)) throw new RangeError('maxChars must be positive');
    this.maxEntries = maxEntries;
    this.maxChars = maxChars;
  }

  get size(): number {
    return this.entries;
  }

  /** Characters of the keys kept (for memory reports and tests). */
  get keptChars(): number {
    return this.chars;
  }

  /** The value of `text` under `namespace`, computing and remembering it on a miss. */
  through(namespace: string, text: string, compute: (text: string) => V): V {
    const hit = this.get(namespace, text);
    if (hit !== undefined) return hit;
    this.misses++;
    const v = compute(text);
    this.set(namespace, text, v);
    return v;
  }

  /** The remembered value of `text`, if any (a hit makes it the most recently used). */
  get(namespace: string, text: string): V | undefined {
    const short = text.length <= TEXT_KEY_MAX_CHARS;
    const map = this.maps.get(short ? namespace : hashedSpace(namespace));
    if (!map) return undefined;
    const key = short ? text : hashOf(text);
    const hit = map.get(key);
    if (hit === undefined) return undefined;
    this.hits++;
    // Most recently used last, once it has fallen into the older half.
    if (this.clock - hit.at > map.size / 2) {
      map.delete(key);
      hit.at = this.clock++;
      map.set(key, hit);
    }
    return hit.v;
  }

  /** Remember a value found without `through` (a long text's count, as the sum of its paragraphs'). */
  set(namespace: string, text: string, v: V): void {
    const short = text.length <= TEXT_KEY_MAX_CHARS;
    const space = short ? namespace : hashedSpace(namespace);
    let map = this.maps.get(space);
    if (!map) this.maps.set(space, (map = new Map()));
    const kept = short ? ownCopy(text) : hashOf(text);
    const had = map.get(kept);
    if (had !== undefined) map.delete(kept);
    else {
      this.chars += kept.length;
      this.entries++;
    }
    map.set(kept, { v, at: this.clock++ });
    while ((this.entries > this.maxEntries || this.chars > this.maxChars) && this.evictOldest()) {
      // evictOldest shrinks entries and chars.
    }
  }

  clear(): void {
    this.maps.clear();
    this.clock = 0;
    this.entries = 0;
    this.chars = 0;
    this.hits = 0;
    this.misses = 0;
  }

  /** Drops the least recently used key of the largest namespace (one encoding in practice). */
  private evictOldest(): boolean {
    let largest: Map<string, Entry<V>> | undefined;
    for (const m of this.maps.values()) if (!largest || m.size > largest.size) largest = m;
    const oldest = largest?.keys().next();
    if (!largest || !oldest || oldest.done) return false;
    largest.delete(oldest.value);
    this.entries--;
    this.chars -= oldest.value.length;
    return true;
  }
}

/** Token counts by text, per encoding (the namespace). */
export class TokenCountCache extends TextCache<number> {
  /** The count of `text` under `namespace` (the encoding), computing and remembering it on a miss. */
  count(namespace: string, text: string, compute: (text: string) => number): number {
    return this.through(namespace, text, compute);
  }

  /** The remembered count of `text`, if any (a hit makes it the most recently used). */
  lookup(namespace: string, text: string): number | undefined {
    return this.get(namespace, text);
  }

  /** Remember a count found without `count` (a long text's, as the sum of its paragraphs'). */
  remember(namespace: string, text: string, n: number): void {
    this.set(namespace, text, n);
  }
}

/**
 * `text` as a string that holds only its own characters. A slice of a larger string (a paragraph
 * of a system message, a cut of a tool result) is a view that keeps the whole parent alive;
 * kept as a key it would hold far more memory than its length says. Joining forces a flat copy
 * of just these characters; done on a miss only, next to a BPE count that costs far more.
 */
// Hashed keys live in a map of their own, so a text can never be mistaken for a hash.
function hashedSpace(namespace: string): string {
  return `${namespace}\u0001sha1`;
}

function hashOf(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

function ownCopy(text: string): string {
  return text.length < 16 ? text : `${text}\u0000`.slice(0, -1);
}

/**
 * `text` cut into paragraphs whose token counts add up to the count of the whole: each cut is
 * after a blank line ("\n\n") and before a character that is neither whitespace nor "/". No
 * pre-tokenisation piece of o200k_base or cl100k_base spans such a cut (newlines only join
 * whitespace before them or punctuation before them, and only "/" can follow a newline inside
 * a piece), so the BPE of each paragraph is the BPE of the same span in the whole.
 */
export function paragraphs(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (let i = text.indexOf('\n\n'); i >= 0; i = text.indexOf('\n\n', i + 1)) {
    let end = i + 2;
    while (end < text.length && text[end] === '\n') end++;
    const next = text[end];
    if (next === undefined || next === '/' || /\s/u.test(next)) continue;
    out.push(text.slice(from, end));
    from = end;
    i = end - 1;
  }
  out.push(text.slice(from));
  return out;
}
