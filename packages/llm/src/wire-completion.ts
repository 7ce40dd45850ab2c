// The chat-completion response as OpenAI-compatible servers really send it, read leniently:
// every field a provider may omit, rename or type differently is optional here, so that the
// normaliser (normalize-completion.ts) decides what a quirk means instead of a parse error.
import { z } from 'zod';

const WireToolCall = z.looseObject({
  id: z.string().nullish(),
  type: z.string().nullish(),
  index: z.number().nullish(),
  function: z
    .looseObject({
      name: z.string().nullish(),
      // A JSON string per the spec; Ollama and some vLLM versions send the object itself.
      arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
    })
    .nullish(),
});
export type WireToolCall = z.infer<typeof WireToolCall>;

export const WireMessage = z.looseObject({
  role: z.string().nullish(),
  content: z.string().nullish(),
  /** OpenAI: the model declined; the text is meant for the user. */
  refusal: z.string().nullish(),
  /** DeepSeek reasoner, vLLM reasoning parsers. */
  reasoning_content: z.string().nullish(),
  /** Ollama, OpenRouter, newer vLLM. */
  reasoning: z.string().nullish(),
  tool_calls: z.array(WireToolCall).nullish(),
});
export type WireMessage = z.infer<typeof WireMessage>;

export const WireUsage = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
  /** DeepSeek's context cache, instead of prompt_tokens_details. */
  prompt_cache_hit_tokens: z.number().nullish(),
  prompt_cache_miss_tokens: z.number().nullish(),
});
export type WireUsage = z.infer<typeof WireUsage>;

export const WireCompletion = z.looseObject({
  model: z.string().nullish(),
  choices: z.array(z.looseObject({ message: WireMessage.nullish(), finish_reason: z.string().nullish() })).nullish(),
  usage: WireUsage.nullish(),
  /** Some gateways answer 200 with an error object instead of a 4xx/5xx. */
  error: z.unknown().optional(),
});
export type WireCompletion = z.infer<typeof WireCompletion>;

// The shape every reply of an OpenAI-compatible server has in practice, checked by hand: the
// schema parse of each non-streamed reply was 2–3 % of the reasoning-worker's CPU (it walks the
// body and copies every object). A body this accepts is one WireCompletion accepts too, and
// normalizeWire only reads it, so it is used as it came; anything else (object arguments, a
// NaN, an unexpected type) is left to the schema, which still decides and names the mismatch.
type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);
const optString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';
const optNumber = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v));
const optPlain = (v: unknown, inner: (o: Plain) => boolean): boolean => v === undefined || v === null || (isPlain(v) && inner(v));

function isToolCall(c: unknown): boolean {
  return (
    isPlain(c) &&
    optString(c.id) &&
    optString(c.type) &&
    optNumber(c.index) &&
    // Arguments as an object (Ollama) go through the schema: rare, and its record check decides.
    optPlain(c.function, (f) => optString(f.name) && optString(f.arguments))
  );
}

function isMessage(m: Plain): boolean {
  return (
    optString(m.role) &&
    optString(m.content) &&
    optString(m.refusal) &&
    optString(m.reasoning_content) &&
    optString(m.reasoning) &&
    (m.tool_calls === undefined || m.tool_calls === null || (Array.isArray(m.tool_calls) && m.tool_calls.every(isToolCall)))
  );
}

function isUsage(u: Plain): boolean {
  return (
    optNumber(u.prompt_tokens) &&
    optNumber(u.completion_tokens) &&
    optPlain(u.prompt_tokens_details, (d) => optNumber(d.cached_tokens)) &&
    optPlain(u.completion_tokens_details, (d) => optNumber(d.reasoning_tokens)) &&
    optNumber(u.prompt_cache_hit_tokens) &&
    optNumber(u.prompt_cache_miss_tokens)
  );
}

/** True only for bodies WireCompletion accepts as they are (see above); false leaves the decision to the schema. */
export function isPlainWireCompletion(body: unknown): body is WireCompletion {
  if (!isPlain(body) || !optString(body.model)) return false;
  const choices = body.choices;
  if (choices !== undefined && choices !== null) {
    if (!Array.isArray(choices)) return false;
    for (const c of choices) if (!isPlain(c) || !optString(c.finish_reason) || !optPlain(c.message, isMessage)) return false;
  }
  return optPlain(body.usage, isUsage);
}
