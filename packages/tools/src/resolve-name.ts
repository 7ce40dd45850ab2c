import { text } from '@steward/core';
import type { ToolRegistry } from './registry.ts';
import { nameSimilarity, nameWords, normalizeToolName } from './similarity.ts';

/** A name this close (normalised Levenshtein) to exactly one tool is taken to mean that tool. */
export const REPAIR_SIMILARITY = 0.85;
/** Below repair, names at least this close (or sharing a word) are offered as suggestions. */
const SUGGEST_SIMILARITY = 0.5;
const MAX_SUGGESTIONS = 3;
/** Verbs every tool pack repeats: sharing one of them does not make two names related. */
const COMMON_WORDS = new Set(['get', 'set', 'list', 'find', 'search', 'update', 'create', 'delete', 'tool', 'by', 'the']);

export type NameResolution =
  | { ok: true; name: string; repairedFrom?: string }
  | { ok: false; error: string; suggestions: string[] };

/**
 * The registered tool the model meant by `name`. Exact names pass; a name that differs only in
 * case, separators or camelCase, carries a namespace prefix ("functions.get_x", which some
 * models copy from their training format), or is within REPAIR_SIMILARITY of exactly one tool
 * is repaired. Anything else is an error listing at most three close names — never the whole
 * catalogue, which would cost prompt tokens and invite the model to guess again.
 */
export function resolveToolName(registry: ToolRegistry, name: string): NameResolution {
  if (registry.has(name)) return { ok: true, name };
  const names = registry.names();
  const bare = stripNamespace(name);
  const normalized = [normalizeToolName(name), normalizeToolName(bare)];
  const exact = names.filter((n) => normalized.includes(normalizeToolName(n)));
  if (exact.length === 1 && exact[0] !== undefined) return { ok: true, name: exact[0], repairedFrom: name };

  const scored = names
    .map((n) => ({ n, score: Math.max(nameSimilarity(name, n), nameSimilarity(bare, n)) }))
    .sort((a, b) => b.score - a.score || a.n.localeCompare(b.n));
  const close = scored.filter((s) => s.score >= REPAIR_SIMILARITY);
  if (close.length === 1 && close[0] !== undefined) return { ok: true, name: close[0].n, repairedFrom: name };

  const words = new Set(nameWords(bare).filter((w) => w.length >= 3 && !COMMON_WORDS.has(w)));
  const suggestions = scored
    .filter((s) => s.score >= SUGGEST_SIMILARITY || nameWords(s.n).some((w) => words.has(w)))
    .slice(0, MAX_SUGGESTIONS)
    .map((s) => s.n);
  const head = `${text('unknownTool', 'en')} ${name}.`;
  const error = suggestions.length > 0 ? `${head} Did you mean: ${suggestions.join(', ')}?` : head;
  return { ok: false, error, suggestions };
}

function stripNamespace(name: string): string {
  const m = /[.:/]([^.:/]+)$/.exec(name);
  return m?.[1] ?? name;
}
