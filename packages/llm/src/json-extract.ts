// Models wrap JSON in code fences, add a sentence after it, or leave a trailing comma. Take the
// first balanced JSON object out of the text, forgiving exactly those habits.

export type JsonObjectResult = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

export function extractJsonObject(text: string): JsonObjectResult {
  const s = text.replace(/```(?:json)?/gi, '').trim();
  if (s === '') return { ok: true, value: {} };
  const start = s.indexOf('{');
  if (start < 0) return { ok: false, error: 'no JSON object found' };
  const end = balancedEnd(s, start);
  if (end < 0) return { ok: false, error: 'the JSON object is not closed (missing "}")' };
  const body = s.slice(start, end + 1);
  for (const candidate of [body, body.replace(/,\s*([}\]])/g, '$1')]) {
    try {
      const v: unknown = JSON.parse(candidate);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return { ok: true, value: v as Record<string, unknown> };
      return { ok: false, error: 'arguments must be a JSON object' };
    } catch (e) {
      if (candidate !== body) return { ok: false, error: (e as Error).message };
    }
  }
  return { ok: false, error: 'invalid JSON' };
}

/** Index of the brace closing the one at `start`, skipping braces inside strings; -1 if none. */
function balancedEnd(s: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}
