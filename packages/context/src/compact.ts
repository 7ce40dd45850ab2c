// Tool results are written for programs, not for a context window: pretty-printed JSON, empty
// fields, image URLs, long product blurbs. Compaction keeps what the model reasons with.

/**
 * full: minified, empty fields dropped. recent: also verbose keys (descriptions, images) dropped.
 * skeleton: also long strings cut, every id and array item kept (the shape the next write needs).
 * older: also arrays and objects capped (ids past the cap are lost: only when the window is full).
 */
export type CompactLevel = 'full' | 'recent' | 'skeleton' | 'older';

/** Keys that inform a shopper browsing a page, not an agent answering a question. */
export const VERBOSE_KEYS: ReadonlySet<string> = new Set([
  'description',
  'long_description',
  'html',
  'image',
  'images',
  'image_url',
  'image_urls',
  'thumbnail',
  'thumbnail_url',
  'url',
  'urls',
  'links',
  '_links',
  'raw',
  'debug',
  'trace',
  'metadata',
  'meta',
  'headers',
]);

export interface CompactOptions {
  dropKeys?: ReadonlySet<string>;
}

/** Older results: strings, arrays and objects beyond these sizes are cut with a visible marker. */
const OLDER_LIMITS = { stringChars: 160, arrayItems: 8, objectKeys: 24 } as const;
/** Skeleton: only long strings are cut; ids live in short strings, numbers and arrays. */
const SKELETON_STRING_CHARS = 48;

/**
 * Minified JSON without verbose or empty fields; `older` also caps strings, arrays and object
 * sizes. Text that is not JSON only has its whitespace collapsed. Pure and deterministic.
 */
export function compactToolResult(content: string, level: CompactLevel, opts: CompactOptions = {}): string {
  const trimmed = content.trim();
  const first = trimmed[0];
  if (first === '{' || first === '[') {
    try {
      const value: unknown = JSON.parse(trimmed);
      const drop = level === 'full' ? new Set<string>() : (opts.dropKeys ?? VERBOSE_KEYS);
      const out = prune(value, level, drop);
      return JSON.stringify(out === undefined ? value : out);
    } catch {
      // Not JSON after all (a log line that starts with a bracket): fall through to text.
    }
  }
  return level === 'older' || level === 'skeleton' ? trimmed.replace(/\s+/g, ' ') : trimmed.replace(/[ \t]+/g, ' ').replace(/\n{3,}/g, '\n\n');
}

function prune(v: unknown, level: CompactLevel, drop: ReadonlySet<string>): unknown {
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return undefined;
    if (level === 'older' && s.length > OLDER_LIMITS.stringChars) return `${s.slice(0, OLDER_LIMITS.stringChars)}…`;
    if (level === 'skeleton' && s.length > SKELETON_STRING_CHARS) return `${s.slice(0, SKELETON_STRING_CHARS)}…`;
    return s;
  }
  if (Array.isArray(v)) {
    const items = v.map((x) => prune(x, level, drop)).filter((x) => x !== undefined);
    if (items.length === 0) return undefined;
    if (level === 'older' && items.length > OLDER_LIMITS.arrayItems) {
      const more = items.length - OLDER_LIMITS.arrayItems;
      return [...items.slice(0, OLDER_LIMITS.arrayItems), `…(+${more} more)`];
    }
    return items;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    let kept = 0;
    let skipped = 0;
    for (const [k, x] of Object.entries(v)) {
      if (drop.has(k.toLowerCase())) continue;
      const p = prune(x, level, drop);
      if (p === undefined) continue;
      if (level === 'older' && kept >= OLDER_LIMITS.objectKeys) {
        skipped++;
        continue;
      }
      out[k] = p;
      kept++;
    }
    if (skipped > 0) out['…'] = `+${skipped} more fields`;
    return kept === 0 ? undefined : out;
  }
  if (v === null) return undefined;
  return v;
}
