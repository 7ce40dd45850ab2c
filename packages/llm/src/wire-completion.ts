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
