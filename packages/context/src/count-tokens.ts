// Token counts as the provider bills them, for the OpenAI chat format. Message overheads follow
// OpenAI's published accounting (3 tokens per message, 3 to prime the reply); tool-call and
// tool-definition overheads are not published, so they are estimated on the high side: an
// over-count only costs a little context, an under-count gets the request rejected.
import { DEFAULTS, type ChatMessage } from '@steward/core';
import { encodingForModel } from './encodings.ts';
import { countPieces } from './encode.ts';
import { paragraphs, TokenCountCache } from './token-count-cache.ts';

export const TOKENS_PER_MESSAGE = 3;
export const REPLY_PRIMING_TOKENS = 3;
/** Per tool call in an assistant message: id, type and the JSON envelope around name/arguments. */
export const TOKENS_PER_TOOL_CALL = 8;
/** Per tool definition: the wrapper the provider renders around each function schema. */
export const TOKENS_PER_TOOL_DEFINITION = 12;

// Each distinct text (and each paragraph of a long one) is counted once per process: the pinned
// system prompt, policy and tool definitions every turn, earlier messages and tool results again
// on every later turn, and every block again on each shedding pass. Bounded: 10k entries and 4M
// characters of kept text (4–8 MB; one-byte strings for Latin text, two for Chinese).
const CACHE_MAX_ENTRIES = 10_000;
const CACHE_MAX_CHARS = 4_000_000;
const cache = new TokenCountCache(CACHE_MAX_ENTRIES, CACHE_MAX_CHARS);
/** Texts shorter than this are counted whole; longer ones paragraph by paragraph. */
const SPLIT_MIN_CHARS = 512;

/** The process-wide count cache (hit/miss figures for benchmarks and tests). */
export function tokenCountCache(): TokenCountCache {
  return cache;
}

const counters = new Map<string, (text: string) => number>();

/** The BPE count for `model`, one function per model (not a closure per call on this hot path). */
function counterOf(model: string): (text: string) => number {
  let f = counters.get(model);
  if (!f) counters.set(model, (f = (t: string) => countPieces(t, model)));
  return f;
}

/**
 * Build `model`'s tokenizer now. Its first use costs seconds of synchronous CPU: a worker that
 * took jobs before would block its event loop long enough for their locks to lapse (the turns
 * then run twice), so every role that counts tokens calls this before it starts taking jobs.
 */
export function warmUpTokenizer(model: string = DEFAULTS.llmModel): void {
  countTokens('warm up 预热', model);
}

/** Tokens of a plain text. Special-token strings in user text are counted as ordinary text. */
export function countTokens(text: string, model: string): number {
  if (text.length === 0) return 0;
  const encoding = encodingForModel(model);
  const count = counterOf(model);
  if (text.length < SPLIT_MIN_CHARS) return cache.count(encoding, text, count);
  // The same long text (the system message) is counted several times per turn: the whole is
  // looked up first, and split only when it is new.
  const whole = cache.lookup(encoding, text);
  if (whole !== undefined) return whole;
  // A changed section of the system message (memory, requests) leaves its other paragraphs cached.
  let n = 0;
  const parts = paragraphs(text);
  for (const p of parts) n += cache.count(encoding, p, count);
  if (parts.length > 1) cache.remember(encoding, text, n);
  return n;
}

/** Tokens of one message in the prompt, overhead included (without the reply priming). */
export function messageTokens(m: ChatMessage, model: string): number {
  let n = TOKENS_PER_MESSAGE + countTokens(m.role, model);
  if (m.content) n += countTokens(m.content, model);
  if (m.role === 'assistant' && m.tool_calls) {
    for (const c of m.tool_calls) {
      n += TOKENS_PER_TOOL_CALL + countTokens(c.function.name, model) + countTokens(c.function.arguments, model);
    }
  }
  if (m.role === 'tool') n += countTokens(m.tool_call_id, model);
  return n;
}

/** Tokens of a whole prompt: every message plus the priming of the assistant's reply. */
export function countMessageTokens(messages: readonly ChatMessage[], model: string): number {
  let n = REPLY_PRIMING_TOKENS;
  for (const m of messages) n += messageTokens(m, model);
  return n;
}

// A worker offers the same definition objects on every turn (the registry builds them once), a
// varying subset of them per turn: their counts are remembered per object, so a turn neither
// serialises nor looks up their JSON again. Definitions are never changed once built; an object
// built per request (a parsed request body) is simply counted from its JSON.
const definitionCounts = new Map<string, WeakMap<object, number>>();

/** Tokens of one tool definition in the `tools` parameter, its wrapper included. */
export function toolDefinitionTokens(tool: unknown, model: string): number {
  if (tool === null || typeof tool !== 'object') return TOKENS_PER_TOOL_DEFINITION + countTokens(JSON.stringify(tool) ?? '', model);
  // By encoding, not model name: setEncodingRules may map a model to another encoding.
  const encoding = encodingForModel(model);
  let counts = definitionCounts.get(encoding);
  if (!counts) definitionCounts.set(encoding, (counts = new WeakMap()));
  let n = counts.get(tool);
  if (n === undefined) counts.set(tool, (n = TOKENS_PER_TOOL_DEFINITION + countTokens(JSON.stringify(tool), model)));
  return n;
}

/** Tokens the `tools` parameter of a request adds to the prompt (JSON schema of each function). */
export function countToolDefinitionTokens(tools: readonly unknown[], model: string): number {
  let n = 0;
  for (const t of tools) n += toolDefinitionTokens(t, model);
  return n;
}
