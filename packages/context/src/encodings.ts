// Which BPE encoding a model uses, and one rank table per encoding, built lazily the first time
// that encoding is used (a process that only ever sees GPT-4o-family names never loads cl100k).
//
// The table is read straight from js-tiktoken's rank file into one Map keyed by the token's bytes
// as a one-char-per-byte string, with an array for the way back. js-tiktoken's own Tiktoken keeps
// two 200k-entry maps ("b1,b2,…" string keys and Uint8Array values) and builds them through a
// 200k-property object: holding it plus our re-keyed map cost the controller and each
// reasoning-worker ~250 MB resident (400–475 MB per process, issue 17). The rank file's text is
// dropped once parsed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type EncodingName = 'o200k_base' | 'cl100k_base';

/** Model-name patterns → encoding, first match wins. Unknown models fall back to o200k_base. */
export interface EncodingRule {
  pattern: RegExp;
  encoding: EncodingName;
}

export const DEFAULT_ENCODING_RULES: readonly EncodingRule[] = [
  { pattern: /(^|\/)(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o)/i, encoding: 'o200k_base' },
  { pattern: /(^|\/)(gpt-3\.5|gpt-35|gpt-4)(?![o.])/i, encoding: 'cl100k_base' },
  { pattern: /text-embedding-(ada-002|3)/i, encoding: 'cl100k_base' },
];

export const FALLBACK_ENCODING: EncodingName = 'o200k_base';

let rules: readonly EncodingRule[] = DEFAULT_ENCODING_RULES;

/** Replace the model → encoding map (e.g. from config); rules are tried in order. */
export function setEncodingRules(next: readonly EncodingRule[]): void {
  rules = next;
  byModel.clear();
}

const byModel = new Map<string, EncodingName>();

export function encodingForModel(model: string): EncodingName {
  let enc = byModel.get(model);
  if (enc === undefined) {
    enc = rules.find((r) => r.pattern.test(model))?.encoding ?? FALLBACK_ENCODING;
    byModel.set(model, enc);
  }
  return enc;
}

/** One encoding's byte-pair ranks. */
export interface BpeTable {
  name: EncodingName;
  /** The pre-tokenisation pattern (tiktoken's pat_str) as a global Unicode RegExp. */
  pat: RegExp;
  /** Rank (= token id) by the token's bytes as a one-char-per-byte ("latin1") string. */
  ranks: Map<string, number>;
  /** Token bytes (latin1 string) by id, for decoding. */
  bytesOf: string[];
  /** Special-token text by id (decoding only: encoding treats special-token text as plain text). */
  specialById: Map<number, string>;
}

/** The shape of js-tiktoken's rank files: "! <first id> <base64 token> <base64 token> …" lines. */
interface RankFile {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

const require = createRequire(import.meta.url);
const tables = new Map<EncodingName, BpeTable>();

function readRankFile(encoding: EncodingName): RankFile {
  const path = require.resolve(`js-tiktoken/ranks/${encoding}`);
  // The file is `module.exports = {…json…};`: parsing the JSON keeps V8 from compiling (and
  // keeping the source of) a 2 MB script; any other layout falls back to require().
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as RankFile;
  } catch {
    const mod = require(path) as RankFile | { default: RankFile };
    return 'default' in mod ? mod.default : mod;
  }
}

function buildTable(encoding: EncodingName): BpeTable {
  const file = readRankFile(encoding);
  const ranks = new Map<string, number>();
  const bytesOf: string[] = [];
  // Walked in place rather than split into 200k strings, and atob gives the token's bytes as a
  // latin1 string directly (no Buffer per token): the build leaves little garbage, so the heap
  // stays small after it. Line: "! <first id> <base64 token> <base64 token> …".
  const text = file.bpe_ranks;
  for (let line = 0; line < text.length; ) {
    let lineEnd = text.indexOf('\n', line);
    if (lineEnd < 0) lineEnd = text.length;
    let id = 0;
    for (let at = line, field = 0; at < lineEnd; field++) {
      let end = text.indexOf(' ', at);
      if (end < 0 || end > lineEnd) end = lineEnd;
      if (field === 1) id = Number.parseInt(text.slice(at, end), 10);
      else if (field >= 2 && end > at) {
        const bytes = atob(text.slice(at, end));
        ranks.set(bytes, id);
        bytesOf[id++] = bytes;
      }
      at = end + 1;
    }
    line = lineEnd + 1;
  }
  const specialById = new Map(Object.entries(file.special_tokens).map(([text, id]) => [id, text] as const));
  return { name: encoding, pat: new RegExp(file.pat_str, 'gu'), ranks, bytesOf, specialById };
}

/** The rank table of `encoding`, built on first use (~0.3 s and ~20 MB for o200k_base). */
export function bpeTable(encoding: EncodingName): BpeTable {
  let t = tables.get(encoding);
  if (!t) {
    // Synchronous on purpose: token counting sits in hot, synchronous prompt-building code.
    t = buildTable(encoding);
    tables.set(encoding, t);
  }
  return t;
}

export function tableForModel(model: string): BpeTable {
  return bpeTable(encodingForModel(model));
}

/** Encodings whose tables this process has built (for tests and memory reports). */
export function loadedEncodings(): EncodingName[] {
  return [...tables.keys()];
}
