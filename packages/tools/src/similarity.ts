// Name similarity for tool-call repair.
//
// Normalised Levenshtein, not Jaro-Winkler: tool names of one pack share long prefixes
// ("get_order_details", "get_user_details", "get_product_details"), and Jaro-Winkler's prefix
// bonus scores such siblings above 0.9, so a typo could be "repaired" into the wrong tool.
// Edit distance over the whole name keeps siblings below the 0.85 bar while a dropped letter,
// a swapped pair or a missing separator stays well above it.

/** camelCase → snake_case, lowercase, runs of other characters → one "_". */
export function normalizeToolName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** 1 for equal names after normalisation, 0 for nothing in common. */
export function nameSimilarity(a: string, b: string): number {
  const x = normalizeToolName(a);
  const y = normalizeToolName(b);
  const len = Math.max(x.length, y.length);
  if (len === 0) return 0;
  return 1 - levenshtein(x, y) / len;
}

/** Words of a normalised name ("get_order_details" → get, order, details). */
export function nameWords(name: string): string[] {
  return normalizeToolName(name).split('_').filter(Boolean);
}
