import { canonicalJson } from '@steward/core';
import type { LoopFinding, LoopTurn } from './loop-types.ts';

/** Calls listed in a nudge: the most recent distinct ones, enough to show the pattern. */
const MAX_LISTED_CALLS = 8;
/** Characters of each result shown; the full result is already in the scratchpad. */
const MAX_RESULT_CHARS = 200;

/**
 * The warning the model reads in its next prompt. It is for the model only (English is fine):
 * what looks like a loop, what was already called with what result, and what to do instead.
 * It goes into the prompt, never into logs, because results may hold personal data.
 */
export function buildNudge(history: readonly LoopTurn[], findings: readonly LoopFinding[]): string {
  const lines = ['Loop warning: you may be repeating yourself.'];
  for (const f of findings) lines.push(`- ${f.message}.`);

  const latest = new Map<string, string>();
  for (const h of history) {
    for (const c of h.calls ?? []) {
      const key = `${c.name}(${canonicalJson(c.args)})`;
      const outcome = c.error !== undefined ? `error: ${c.error}` : c.result === undefined ? '(no result yet)' : show(c.result);
      latest.delete(key); // re-insert so the map keeps the most recent order
      latest.set(key, outcome);
    }
  }
  const unknown = [...new Set(history.flatMap((h) => h.unknownTools ?? []))];
  if (latest.size > 0) {
    lines.push('Already called, with what it returned:');
    for (const [call, outcome] of [...latest].slice(-MAX_LISTED_CALLS)) lines.push(`- ${call} → ${outcome}`);
  }
  if (unknown.length > 0) lines.push(`Tools that do not exist (do not call them again): ${unknown.join(', ')}.`);
  lines.push(
    'Do not repeat a call whose result you already have. Use these results, try a different tool or different arguments, ' +
      'ask the customer for the missing information, or give your final answer.',
  );
  return lines.join('\n');
}

function show(result: unknown): string {
  const s = typeof result === 'string' ? result : JSON.stringify(result);
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_RESULT_CHARS ? `${flat.slice(0, MAX_RESULT_CHARS)}…` : flat;
}
