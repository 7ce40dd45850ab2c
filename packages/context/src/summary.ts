// The rolling summary of a conversation: what fell out of the verbatim window, kept as short
// extractive notes (what the customer asked, ids seen, tool outcomes, what the agent said or
// decided). It is updated incrementally from the previous summary and the newly evicted
// messages, never recomputed from the whole history, and it is deterministic: no LLM involved.
import type { ChatMessage } from '@steward/core';
import { countTokens } from './count-tokens.ts';
import { CONTEXT_DEFAULTS } from './constants.ts';

export interface SummaryOptions {
  /** Tokenizer model for the bound. */
  model: string;
  /** The summary never exceeds this many tokens. */
  maxTokens?: number;
  /** Longest note kept per customer message, in characters. */
  noteChars?: number;
  /**
   * Longest note kept per agent answer, in characters: shorter, because what the answers rested
   * on (ids, statuses, items) is in the working memory, and what the customer asked matters more.
   */
  answerChars?: number;
  /** Most ids kept (the most recently seen win). */
  maxIds?: number;
}

interface SummaryState {
  asked: string[];
  ids: string[];
  tools: string[];
  said: string[];
}

const HEADER = '[Summary of earlier conversation]';
const SECTIONS = [
  ['asked', 'Customer asked:'],
  ['tools', 'Tool results:'],
  ['said', 'Agent said:'],
] as const;
const IDS_PREFIX = 'Known ids: ';

export function emptySummary(): string {
  return '';
}

/**
 * New summary = previous summary + notes of `evicted` (oldest first), bounded to
 * `maxTokens` by dropping the oldest notes first. Pass only messages that were not summarised
 * before: the function cannot tell a repeated message from a new one that says the same.
 */
export function updateSummary(previous: string, evicted: readonly ChatMessage[], opts: SummaryOptions): string {
  const state = parseSummary(previous);
  const noteChars = opts.noteChars ?? 180;
  const answerChars = opts.answerChars ?? 100;
  const calls = new Map<string, string>();
  for (const m of evicted) {
    const text = m.content ?? '';
    for (const id of extractIds(text)) addId(state, id);
    if (m.role === 'user') push(state.asked, note(text, noteChars));
    else if (m.role === 'assistant') {
      if (m.tool_calls?.length) {
        for (const c of m.tool_calls) {
          const args = parseObject(c.function.arguments);
          for (const id of idsFromObject(args)) addId(state, id);
          calls.set(c.id, `${c.function.name}(${renderArgs(args)})`);
        }
      } else push(state.said, note(text, answerChars));
    } else if (m.role === 'tool') {
      const call = calls.get(m.tool_call_id) ?? 'tool';
      const parsed = parseObject(text);
      for (const id of idsFromObject(parsed)) addId(state, id);
      push(state.tools, `${call} → ${outcome(text, parsed, noteChars)}`);
    }
  }
  const maxIds = opts.maxIds ?? 40;
  if (state.ids.length > maxIds) state.ids = state.ids.slice(state.ids.length - maxIds);
  return bound(state, opts.model, opts.maxTokens ?? CONTEXT_DEFAULTS.summaryTokens);
}

export function renderSummary(s: SummaryState): string {
  const lines: string[] = [];
  for (const [key, title] of SECTIONS) {
    if (s[key].length === 0) continue;
    lines.push(title, ...s[key].map((x) => `- ${x}`));
  }
  if (s.ids.length) lines.push(IDS_PREFIX + s.ids.join('; '));
  return lines.length ? [HEADER, ...lines].join('\n') : '';
}

function parseSummary(text: string): SummaryState {
  const s: SummaryState = { asked: [], ids: [], tools: [], said: [] };
  let current: 'asked' | 'tools' | 'said' | undefined;
  for (const line of text.split('\n')) {
    const section = SECTIONS.find(([, title]) => title === line);
    if (section) current = section[0];
    else if (line.startsWith(IDS_PREFIX)) s.ids = line.slice(IDS_PREFIX.length).split('; ').filter(Boolean);
    else if (line.startsWith('- ') && current) s[current].push(line.slice(2));
  }
  return s;
}

/** Drop oldest notes (from the longest section first) until the summary fits. */
function bound(s: SummaryState, model: string, maxTokens: number): string {
  let out = renderSummary(s);
  while (countTokens(out, model) > maxTokens) {
    const longest = (['asked', 'tools', 'said'] as const).reduce((a, b) => (s[b].length > s[a].length ? b : a));
    if (s[longest].length > 0) s[longest].shift();
    else if (s.ids.length > 0) s.ids.shift();
    else return '';
    out = renderSummary(s);
  }
  return out;
}

function push(list: string[], item: string): void {
  if (item && list[list.length - 1] !== item) list.push(item);
}

function addId(s: SummaryState, id: string): void {
  const i = s.ids.indexOf(id);
  if (i >= 0) s.ids.splice(i, 1);
  s.ids.push(id);
}

/** The first sentence(s) of a message up to `max` characters, on one line. */
function note(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('? '), cut.lastIndexOf('。'), cut.lastIndexOf('？'));
  return end > max / 2 ? cut.slice(0, end + 1) : `${cut}…`;
}

const ORDER_ID = /#W\d{5,}/g;
// τ-bench-style user ids: first_last_1234.
const USER_ID = /\b[a-z]+_[a-z]+_\d{3,5}\b/g;

function extractIds(text: string): string[] {
  const ids: string[] = [];
  for (const m of text.match(ORDER_ID) ?? []) ids.push(`order_id=${m}`);
  for (const m of text.match(USER_ID) ?? []) ids.push(`user_id=${m}`);
  return ids;
}

/** `*_id` / `*_ids` fields anywhere in a parsed tool argument or result (depth-limited). */
function idsFromObject(v: unknown, depth = 0): string[] {
  if (depth > 4 || v === null || typeof v !== 'object') return [];
  const out: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (/(^|_)id$/.test(k) && (typeof x === 'string' || typeof x === 'number')) out.push(`${k}=${x}`);
    else if (/_ids$/.test(k) && Array.isArray(x)) {
      for (const y of x.slice(0, 10)) if (typeof y === 'string' || typeof y === 'number') out.push(`${k.slice(0, -1)}=${y}`);
    } else if (typeof x === 'object') out.push(...idsFromObject(x, depth + 1));
  }
  return out.slice(0, 20);
}

function parseObject(s: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(s);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function renderArgs(args: Record<string, unknown> | undefined): string {
  if (!args) return '';
  return Object.entries(args)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ')
    .slice(0, 120);
}

/** Scalar fields that say how a call ended, in the order the agent cares about them. */
const SALIENT = ['error', 'status', 'order_id', 'user_id', 'name', 'total', 'amount', 'reason', 'message'];

function outcome(text: string, parsed: Record<string, unknown> | undefined, max: number): string {
  if (parsed) {
    const parts: string[] = [];
    for (const k of SALIENT) {
      const v = parsed[k];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') parts.push(`${k}=${v}`);
    }
    if (parts.length) return note(parts.join(', '), max);
  }
  return note(text, Math.min(max, 120)) || '(empty)';
}
