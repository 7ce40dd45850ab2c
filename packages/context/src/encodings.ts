// Which BPE encoding a model uses, and one cached encoder per encoding. Only the rank file of
// an encoding actually used is loaded (o200k alone is ~2 MB of JS and ~1 s to build).
import { createRequire } from 'node:module';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';

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

const require = createRequire(import.meta.url);
const encoders = new Map<EncodingName, Tiktoken>();

export function getEncoder(encoding: EncodingName): Tiktoken {
  let enc = encoders.get(encoding);
  if (!enc) {
    // Synchronous on purpose: token counting sits in hot, synchronous prompt-building code.
    const mod = require(`js-tiktoken/ranks/${encoding}`) as TiktokenBPE | { default: TiktokenBPE };
    const ranks = 'default' in mod ? mod.default : mod;
    enc = new Tiktoken(ranks);
    encoders.set(encoding, enc);
  }
  return enc;
}

export function encoderForModel(model: string): Tiktoken {
  return getEncoder(encodingForModel(model));
}
