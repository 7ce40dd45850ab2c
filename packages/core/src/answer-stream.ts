import { z } from 'zod';

/**
 * A piece of the final answer while the model writes it, published on the query's live channel
 * (never stored: the durable answer is the one the controller commits). Every LLM attempt
 * streams under its own `streamId`; a client follows the attempt that started last and drops
 * what it showed of an older one, so a retried or redelivered call never interleaves two answers.
 * `answer.reset` withdraws what an attempt showed (the reply turned into tool calls).
 */
export const AnswerStreamMessage = z.object({
  type: z.enum(['answer.delta', 'answer.reset']),
  queryId: z.string().min(1),
  turn: z.number().int().nonnegative(),
  streamId: z.string().min(1),
  /** When the attempt started (epoch ms): the newer attempt wins. */
  startedMs: z.number(),
  /** Characters of this attempt's answer before `text`: a client that missed some waits for the end. */
  offset: z.number().int().nonnegative(),
  text: z.string(),
});
export type AnswerStreamMessage = z.infer<typeof AnswerStreamMessage>;
