// The chat-completions request body the scripted model accepts: the OpenAI wire shape, loosely
// (unknown fields are ignored, as providers do).
import { z } from 'zod';

export const ChatWireMessage = z.object({
  role: z.string(),
  content: z
    .union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() })), z.null()])
    .optional(),
  tool_calls: z
    .array(
      z.object({
        id: z.string().optional(),
        function: z.object({ name: z.string(), arguments: z.string().default('') }),
      }),
    )
    .optional(),
  tool_call_id: z.string().optional(),
});
export type ChatWireMessage = z.infer<typeof ChatWireMessage>;

export const ChatWireRequest = z.object({
  model: z.string().optional(),
  messages: z.array(ChatWireMessage).min(1),
  tools: z
    .array(
      z.object({
        function: z.object({
          name: z.string(),
          description: z.string().optional(),
          parameters: z.unknown().optional(),
        }),
      }),
    )
    .optional(),
});
export type ChatWireRequest = z.infer<typeof ChatWireRequest>;

export const contentText = (m: ChatWireMessage): string =>
  typeof m.content === 'string'
    ? m.content
    : Array.isArray(m.content)
      ? m.content.map((p) => p.text ?? '').join('')
      : '';

/** A tool call's arguments as an object; malformed or non-object arguments read as none. */
export function parseArguments(raw: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(raw || '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    // Malformed arguments are the pipeline's to repair or refuse; there is nothing to check.
    return {};
  }
}
