import { z } from 'zod';

/** One tool call as the reasoning-worker hands it over, after name repair and argument validation. */
export const ProposedCall = z.object({
  /** The provider's tool_call id (or one we assigned for text-format output). */
  id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()),
  /** The name the model wrote, when repair changed it. */
  repairedFrom: z.string().optional(),
  /** Set when the call cannot run (unknown tool, invalid arguments): the controller feeds it back. */
  error: z.string().optional(),
  /**
   * Why the call cannot run, for the control logic (the text above is for the model only).
   * Optional so decide jobs in flight during a rolling deploy still parse: absent means
   * invalid arguments.
   */
  errorType: z.enum(['unknown_tool', 'invalid_arguments']).optional(),
});
export type ProposedCall = z.infer<typeof ProposedCall>;

export const LlmUsage = z.object({
  model: z.string(),
  provider: z.string(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cachedInputTokens: z.number().int().nonnegative().default(0),
  costUsd: z.number().nonnegative(),
  startMs: z.number(),
  endMs: z.number(),
  retries: z.number().int().nonnegative().default(0),
  finishReason: z.string().optional(),
  maxTokens: z.number().int().optional(),
  temperature: z.number().optional(),
});
export type LlmUsage = z.infer<typeof LlmUsage>;

export const Proposal = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('answer'), answer: z.string(), thought: z.string().optional() }),
  z.object({ kind: z.literal('tool_calls'), calls: z.array(ProposedCall).min(1), thought: z.string().optional() }),
  /** The model's output could not be parsed: the error goes back to the model next turn. */
  z.object({ kind: z.literal('malformed'), error: z.string(), raw: z.string().optional() }),
  /**
   * The LLM could not be reached after all retries, or (`fault` set) kept replying with nothing
   * usable. Optional so decide jobs in flight during a rolling deploy still parse.
   */
  z.object({ kind: z.literal('llm_error'), error: z.string(), fault: z.string().optional() }),
]);
export type Proposal = z.infer<typeof Proposal>;
