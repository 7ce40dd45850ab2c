// Names the system knows: a customer's first and last name learned from the conversation's own
// tool calls (get_user_details' result, find_user_id_by_name_zip's arguments). A name written
// without any cue word ("hi it's Yusuf Rossi", "yusuf here") is invisible to the patterns of
// pii-patterns.ts, but once the tools have said it is this customer's name it can be removed
// wherever that conversation's text is logged or traced.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { StewardEvent } from '@steward/core';

// Shorter than this is too likely to be a word fragment or an initial to redact on its own.
const MIN_NAME_CHARS = 2;
const MAX_NAMES = 32;
// Surnames that are also everyday English words are redacted only when capitalised, so "I will
// call" survives a customer called Will and "how long" one called Long.
const COMMON_WORDS = new Set([
  'will',
  'long',
  'young',
  'king',
  'may',
  'june',
  'rose',
  'hope',
  'grace',
  'joy',
  'mark',
  'bill',
  'page',
  'lane',
  'hill',
  'wood',
  'park',
  'ward',
  'price',
  'cook',
  'white',
  'brown',
  'green',
  'black',
  'gray',
  'grey',
  'rich',
  'sky',
  'day',
  'moon',
  'star',
  'gold',
  'silver',
  'stone',
  'field',
  'bond',
  'case',
  'cash',
  'chase',
  'miles',
  'west',
  'north',
  'south',
  'east',
  'home',
  'love',
  'best',
  'said',
  'sun',
  'song',
  'wing',
  'ma',
  'lee',
  'do',
  'to',
  'an',
  'ho',
  'so',
  'ha',
  'he',
  'yu',
]);

const LETTERS = /^[\p{L}][\p{L}\p{M}'’-]*$/u;

/**
 * The distinct, plausible names of a list (letters only, at most MAX_NAMES): each word of a
 * name, and a name of several words also whole (so "Will Brown" goes in any case).
 */
export function cleanNames(names: Iterable<unknown>): string[] {
  const out = new Set<string>();
  for (const n of names) {
    if (typeof n !== 'string') continue;
    const parts = n
      .trim()
      .split(/\s+/)
      .filter((part) => part.length >= MIN_NAME_CHARS && LETTERS.test(part));
    if (parts.length > 1) out.add(parts.join(' '));
    for (const part of parts) out.add(part);
    if (out.size >= MAX_NAMES) return [...out].slice(0, MAX_NAMES);
  }
  return [...out];
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// One compiled pattern per name set: a conversation's text is redacted line after line.
const compiled = new Map<string, RegExp | undefined>();
const MAX_COMPILED = 500;

function patternOf(names: readonly string[]): RegExp | undefined {
  const cacheKey = names.join('\u0000');
  if (compiled.has(cacheKey)) return compiled.get(cacheKey);
  // Longest first: Han names have no word boundaries, so 王小明 goes whole before a shorter one.
  const sorted = cleanNames(names).sort((a, b) => b.length - a.length);
  const parts = sorted.map((n) => {
    // Everyday words match only capitalised; other names in any case ("yusuf here").
    const alt = COMMON_WORDS.has(n.toLowerCase())
      ? escape(n[0]!.toUpperCase() + n.slice(1).toLowerCase())
      : `(?i:${n.split(' ').map(escape).join('\\s{1,3}')})`;
    // Whole words only: a user id such as yusuf_rossi_9620 keeps its letters (it is an id an SRE
    // looks up), and "Li" inside "Lily" is not the surname Li. Han names have no word
    // boundaries, so they match anywhere.
    return /^\p{Script=Han}+$/u.test(n) ? alt : `(?<![\\p{L}\\p{N}_])${alt}(?![\\p{L}\\p{N}_])`;
  });
  const re = parts.length ? new RegExp(parts.join('|'), 'gu') : undefined;
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(cacheKey, re);
  return re;
}

/** Replace every occurrence of a known name by `[name]`. */
export function redactKnownNames(text: string, names: readonly string[] | undefined): string {
  if (!names?.length || text.length === 0) return text;
  const re = patternOf(names);
  return re ? text.replace(re, '[name]') : text;
}

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function parsed(v: unknown): Record<string, unknown> | undefined {
  if (typeof v !== 'string') return asRecord(v);
  try {
    return asRecord(JSON.parse(v));
  } catch {
    return undefined;
  }
}

/** The first and last names one tool call was given (arguments) or revealed (its result). */
export function namesInToolCall(tool: unknown, args: unknown, result: unknown): string[] {
  const names: unknown[] = [];
  const full = (o: Record<string, unknown> | undefined): void => {
    if (!o) return;
    const { first_name: first, last_name: last } = o;
    names.push(
      typeof first === 'string' && typeof last === 'string' ? `${first} ${last}` : undefined,
      first,
      last,
    );
  };
  full(asRecord(args));
  if (tool === 'get_user_details') full(asRecord(parsed(result)?.name));
  return cleanNames(names);
}

/** The first and last names the tool calls of these events were given or revealed. */
export function namesInEvents(events: readonly StewardEvent[]): string[] {
  const names: string[] = [];
  for (const e of events)
    if (e.type === 'tool.call') names.push(...namesInToolCall(e.data.name, e.data.arguments, e.data.result));
  return cleanNames(names);
}

// The names known in the current job (a worker's async context), for its log lines.
const jobNames = new AsyncLocalStorage<{ names: string[] }>();

/** Runs fn with a fresh set of known names for the log lines written inside it. */
export function runWithKnownNames<T>(names: readonly string[], fn: () => T): T {
  return jobNames.run({ names: cleanNames(names) }, fn);
}

/** Adds names learned inside the current job (no-op outside runWithKnownNames). */
export function rememberNames(names: Iterable<unknown>): void {
  const store = jobNames.getStore();
  if (store) store.names = cleanNames([...store.names, ...names]);
}

/** The names known in the current job, or none. */
export function currentKnownNames(): readonly string[] {
  return jobNames.getStore()?.names ?? [];
}
