import { z } from 'zod';

/** Chat messages in the OpenAI wire shape, which every compatible provider accepts. */
export const ToolCallMessagePart = z.object({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
export type ToolCallMessagePart = z.infer<typeof ToolCallMessagePart>;

export const SystemMessage = z.object({ role: z.literal('system'), content: z.string() });
export const UserMessage = z.object({ role: z.literal('user'), content: z.string() });
export const AssistantMessage = z.object({
  role: z.literal('assistant'),
  content: z.string().nullable(),
  tool_calls: z.array(ToolCallMessagePart).optional(),
});
export const ToolMessage = z.object({ role: z.literal('tool'), tool_call_id: z.string(), content: z.string() });

export const ChatMessage = z.discriminatedUnion('role', [SystemMessage, UserMessage, AssistantMessage, ToolMessage]);
export type ChatMessage = z.infer<typeof ChatMessage>;
export type SystemMessage = z.infer<typeof SystemMessage>;
export type UserMessage = z.infer<typeof UserMessage>;
export type AssistantMessage = z.infer<typeof AssistantMessage>;
export type ToolMessage = z.infer<typeof ToolMessage>;
