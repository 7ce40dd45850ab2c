// The chat-completions request body sim-llm accepts: the OpenAI wire shape, loosely (unknown
// fields are ignored, as real providers do).
import { z } from 'zod';
import { DEFAULTS } from '@steward/core';

const ContentPart = z.object({ type: z.string(), text: z.string().optional() });

export const WireToolCall = z.object({
  id: z.string().optional(),
  type: z.string().optional(),
  function: z.object({ name: z.string(), arguments: z.string().default('') }),
});
export type WireToolCall = z.infer<typeof WireToolCall>;

export const WireMessage = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
  tool_calls: z.array(WireToolCall).optional(),
  tool_call_id: z.string().optional(),
  name: z.string().optional(),
});
export type WireMessage = z.infer<typeof WireMessage>;

export const WireTool = z.object({
  type: z.string().optional(),
  function: z.object({ name: z.string(), description: z.string().optional(), parameters: z.unknown().optional() }),
});
export type WireTool = z.infer<typeof WireTool>;

export const ChatRequest = z.object({
  model: z.string().default(DEFAULTS.llmModel),
  messages: z.array(WireMessage).min(1),
  tools: z.array(WireTool).optional(),
  tool_choice: z.unknown().optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  temperature: z.number().nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  response_format: z.object({ type: z.string() }).nullable().optional(),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

/** A message's text whether it came as a string or as content parts. */
export function textOf(m: WireMessage): string {
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) return m.content.map((p) => p.text ?? '').join('');
  return '';
}
