// Token counts remembered by content. A prompt is rebuilt every turn from mostly the same text —
// the system prompt, the policy, the tool definitions, the earlier messages and tool results —
// and each shedding pass counts it again; counting each distinct text once is what keeps prompt
// building cheap (issue 17: token counting was ~45 % of a reasoning-worker's CPU).
//
// Short texts are their own keys; longer ones are keyed by a SHA-1 of their content, so the
// cache never keeps a large tool result alive. Least recently used out first, bounded in entries.
import { createHash } from 'node:crypto';

/** Texts up to this many characters are keys themselves (cheaper than hashing them). */
export const TEXT_KEY_MAX_CHARS = 128;

export class TokenCountCache {
  private readonly map = new Map<string, number>();
  hits = 0;
  misses = 0;

  readonly maxEntries: number;

  constructor(maxEntries: number) {
    if (!(maxEntries > 0)) throw new RangeError('maxEntries must be positive');
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.map.size;
  }

  /** The count of `text` under `namespace` (the encoding), computing and remembering it on a miss. */
  count(namespace: string, text: string, compute: (text: string) => number): number {
    const key = keyOf(namespace, text);
    const hit = this.map.get(key);
    if (hit !== undefined) {
      this.hits++;
      // Most recently used last: re-insert.
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    this.misses++;
    const n = compute(text);
    if (this.map.size >= this.maxEntries) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, n);
    return n;
  }

  clear(): void {
    this.map.clear();
    this.hits = 0;
    this.misses = 0;
  }
}

function keyOf(namespace: string, text: string): string {
  // The marker byte keeps a hashed key from ever equalling a short text's key.
  if (text.length <= TEXT_KEY_MAX_CHARS) return `${namespace}\u0000${text}`;
  return `${namespace}\u0001${createHash('sha1').update(text).digest('base64')}`;
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
