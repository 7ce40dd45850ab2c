// USD per million tokens, per model. List prices change: the table is a default for cost
// estimates and budgets, overridable without a deploy by LLM_PRICING_FILE (a JSON file) or
// LLM_PRICING (inline JSON), both shaped like DEFAULT_PRICING.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const ModelPrice = z.object({
  /** Uncached input tokens. */
  input: z.number().nonnegative(),
  /** Input tokens served from the provider's prompt cache; defaults to the input price. */
  cachedInput: z.number().nonnegative().optional(),
  output: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

export const PricingTable = z.record(z.string(), ModelPrice);
export type PricingTable = z.infer<typeof PricingTable>;

/**
 * Public list prices (USD / 1M tokens, standard tier, short context) as of late 2025, from each
 * provider's pricing page. `cachedInput` is what a prompt prefix the provider has cached costs,
 * by the provider's published rule (checked 2025-11):
 *  - OpenAI (automatic for prompts of 1,024+ tokens): gpt-4o / gpt-4o-mini 50 % of input,
 *    gpt-4.1 family and o3 / o4-mini 25 %, gpt-5 family 10 %;
 *  - Anthropic: cache reads 10 % of input (only prefixes marked with cache_control, which
 *    steward does not send yet: the cached figure is what it would cost with them);
 *  - Google Gemini 2.5 (implicit caching): 10 % of input (Gemini 2.0 models charged 25 %);
 *  - DeepSeek V3.2 (automatic disk cache): cache hit 0.028 vs 0.28 cache miss, 10 %.
 * Every entry has a cachedInput, so a report can price a cached prefix for every model.
 */
export const DEFAULT_PRICING: PricingTable = {
  // OpenAI
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  // Anthropic (cachedInput = cache read)
  'claude-opus-4-5': { input: 5, cachedInput: 0.5, output: 25 },
  'claude-opus-4': { input: 15, cachedInput: 1.5, output: 75 },
  'claude-sonnet-4': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-3-7-sonnet': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-haiku-4-5': { input: 1, cachedInput: 0.1, output: 5 },
  'claude-3-5-haiku': { input: 0.8, cachedInput: 0.08, output: 4 },
  // Google
  'gemini-2.5-pro': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gemini-2.5-flash': { input: 0.3, cachedInput: 0.03, output: 2.5 },
  // DeepSeek (V3.2 list prices; cachedInput = cache hit)
  'deepseek-chat': { input: 0.28, cachedInput: 0.028, output: 0.42 },
  'deepseek-reasoner': { input: 0.28, cachedInput: 0.028, output: 0.42 },
  // The embedded deterministic test double costs nothing.
  'sim-llm-1': { input: 0, cachedInput: 0, output: 0 },
};

/**
 * The price of a model: exact name, else the longest table key the name starts with (so
 * `gpt-4o-2024-08-06` → `gpt-4o`, `gpt-4o-mini-2024-07-18` → `gpt-4o-mini`), after removing a
 * router prefix (`openai/gpt-4o`). Undefined for an unknown model.
 */
export function priceFor(model: string, table: PricingTable = activePricing()): ModelPrice | undefined {
  const name = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  const exact = table[name] ?? table[model];
  if (exact) return exact;
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (name.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}

export interface TokenUsage {
  /** All prompt tokens, cached ones included (as OpenAI reports prompt_tokens). */
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
}

/** USD cost of one call; 0 for a model missing from the table (see priceFor to tell). */
export function costOf(model: string, usage: TokenUsage, table: PricingTable = activePricing()): number {
  const p = priceFor(model, table);
  if (!p) return 0;
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const usd = ((usage.inputTokens - cached) * p.input + cached * (p.cachedInput ?? p.input) + usage.outputTokens * p.output) / 1e6;
  // Rounded to a micro-dollar fraction so sums of many calls stay readable.
  return Math.round(usd * 1e10) / 1e10;
}

/**
 * The default table merged with overrides from the environment: LLM_PRICING_FILE first, then
 * LLM_PRICING on top. A bad override throws at start-up naming the variable.
 */
export function loadPricing(env: NodeJS.ProcessEnv = process.env): PricingTable {
  let table: PricingTable = { ...DEFAULT_PRICING };
  if (env.LLM_PRICING_FILE) table = { ...table, ...parseTable(readFileSync(env.LLM_PRICING_FILE, 'utf8'), `LLM_PRICING_FILE (${env.LLM_PRICING_FILE})`) };
  if (env.LLM_PRICING) table = { ...table, ...parseTable(env.LLM_PRICING, 'LLM_PRICING') };
  return table;
}

function parseTable(json: string, source: string): PricingTable {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new Error(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  const r = PricingTable.safeParse(raw);
  if (!r.success) throw new Error(`${source} is not a pricing table: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

let active: PricingTable | undefined;

/** The process-wide table, loaded from the environment on first use. */
export function activePricing(): PricingTable {
  return (active ??= loadPricing());
}

/** Replace the process-wide table (tests, or a service that loads its config differently). */
export function setActivePricing(table: PricingTable | undefined): void {
  active = table;
}
