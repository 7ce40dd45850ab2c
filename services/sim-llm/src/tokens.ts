// Token counts with the o200k_base encoding (the GPT-4o family), through @steward/context so
// that sim-llm bills a prompt exactly as the prompt builder counted it, and with its fast BPE
// (js-tiktoken's own merge is quadratic on long Chinese runs).
import type { ChatMessage } from '@steward/core';
import { countMessageTokens, countTokens as countFor, countToolDefinitionTokens, decode, encode } from '@steward/context';
import type { ChatRequest, WireMessage } from './request-schema.ts';
import { textOf } from './request-schema.ts';

/** Any model name that maps to o200k_base: usage does not depend on the model the client names. */
const ENCODING_MODEL = 'gpt-4o';

export function countTokens(text: string): number {
  return countFor(text, ENCODING_MODEL);
}

/** Build the encoder now (seconds of CPU the first time), not inside the first request. */
export function warmUpTokenizer(): void {
  countTokens('warm-up');
}

/** The first `max` tokens of `text` (answers are short: the plain encoder is fine here). */
export function clipTokens(text: string, max: number): string {
  // Special-token text (e.g. "<|endoftext|>") from a customer is plain text here, never a control token.
  const ids = encode(text, ENCODING_MODEL);
  return ids.length <= max ? text : decode(ids.slice(0, max), ENCODING_MODEL);
}

function toChatMessage(m: WireMessage): ChatMessage {
  const content = textOf(m);
  switch (m.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content };
    case 'user':
      return { role: 'user', content };
    case 'tool':
      return { role: 'tool', tool_call_id: m.tool_call_id ?? '', content };
    case 'assistant':
      return {
        role: 'assistant',
        content: content || null,
        ...(m.tool_calls?.length ? { tool_calls: m.tool_calls.map((c) => ({ id: c.id ?? '', type: 'function' as const, function: c.function })) } : {}),
      };
  }
}

/** Messages with OpenAI's framing overheads, plus the tool definitions. */
export function promptTokens(req: ChatRequest): number {
  const messages = countMessageTokens(req.messages.map(toChatMessage), ENCODING_MODEL);
  return messages + (req.tools?.length ? countToolDefinitionTokens(req.tools, ENCODING_MODEL) : 0);
}
