// Token counts with the o200k_base encoding (the GPT-4o family), so usage figures and budgets
// behave like a real provider's. The ranks are large: loaded once, on first use.
import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import type { ChatRequest } from './request-schema.ts';
import { textOf } from './request-schema.ts';

let encoder: Tiktoken | undefined;
const enc = (): Tiktoken => (encoder ??= new Tiktoken(o200kBase));

export function countTokens(text: string): number {
  return text ? enc().encode(text).length : 0;
}

/** The first `max` tokens of `text`. */
export function clipTokens(text: string, max: number): string {
  const ids = enc().encode(text);
  return ids.length <= max ? text : enc().decode(ids.slice(0, max));
}

// OpenAI's published accounting: a few tokens of framing per message and for the reply primer.
const PER_MESSAGE = 3;
const REPLY_PRIMER = 3;

export function promptTokens(req: ChatRequest): number {
  let n = REPLY_PRIMER;
  for (const m of req.messages) {
    n += PER_MESSAGE + countTokens(m.role) + countTokens(textOf(m));
    for (const c of m.tool_calls ?? []) n += countTokens(c.function.name) + countTokens(c.function.arguments);
  }
  if (req.tools?.length) n += countTokens(JSON.stringify(req.tools));
  return n;
}
