// Token counts as the provider bills them, for the OpenAI chat format. Message overheads follow
// OpenAI's published accounting (3 tokens per message, 3 to prime the reply); tool-call and
// tool-definition overheads are not published, so they are estimated on the high side: an
// over-count only costs a little context, an under-count gets the request rejected.
import type { ChatMessage } from '@steward/core';
import { encodingForModel } from './encodings.ts';
import { encode } from './encode.ts';

export const TOKENS_PER_MESSAGE = 3;
export const REPLY_PRIMING_TOKENS = 3;
/** Per tool call in an assistant message: id, type and the JSON envelope around name/arguments. */
export const TOKENS_PER_TOOL_CALL = 8;
/** Per tool definition: the wrapper the provider renders around each function schema. */
export const TOKENS_PER_TOOL_DEFINITION = 12;

// Prompt building counts the same texts several times (each shedding pass). The cache holds
// only short texts so a worker that sees huge tool results does not keep them all alive.
const CACHE_MAX = 2_000;
const CACHE_TEXT_MAX_CHARS = 8_000;
const cache = new Map<string, number>();

/** Tokens of a plain text. Special-token strings in user text are counted as ordinary text. */
export function countTokens(text: string, model: string): number {
  if (text.length === 0) return 0;
  if (text.length > CACHE_TEXT_MAX_CHARS) return encode(text, model).length;
  const key = `${encodingForModel(model)}\u0000${text}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const n = encode(text, model).length;
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, n);
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

/** Tokens the `tools` parameter of a request adds to the prompt (JSON schema of each function). */
export function countToolDefinitionTokens(tools: readonly unknown[], model: string): number {
  let n = 0;
  for (const t of tools) n += TOKENS_PER_TOOL_DEFINITION + countTokens(JSON.stringify(t), model);
  return n;
}
