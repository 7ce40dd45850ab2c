// The queue contracts of steward in one place: names, one zod schema per payload (the schema
// is the type), and the map from queue to payload. New fields must be optional so that jobs
// in flight survive a rolling deploy.
import { z } from 'zod';
import { InvalidPayloadError } from './errors.ts';
import { LlmUsage, Proposal } from './proposal.ts';
import { Language } from './language-schema.ts';

export const QUEUES = {
  reasoning: 'reasoning',
  control: 'control',
  tools: 'tools',
  deliveries: 'deliveries',
  handoff: 'handoff',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** One ReAct turn: the reasoning-worker makes exactly one LLM call for it. */
export const ReasonJob = z.object({
  queryId: z.string().min(1),
  turn: z.number().int().nonnegative(),
});
export type ReasonJob = z.infer<typeof ReasonJob>;

export const DecideJob = z.object({
  type: z.literal('decide'),
  queryId: z.string().min(1),
  turn: z.number().int().nonnegative(),
  proposal: Proposal,
  usage: LlmUsage.optional(),
});
export const ObserveJob = z.object({
  type: z.literal('observe'),
  queryId: z.string().min(1),
  turn: z.number().int().nonnegative(),
  /** The query's conversation, so observe reads its memory with the query, not after (optional: added later). */
  conversationId: z.string().min(1).optional(),
});
/** Fires at the query's wall-clock deadline; a no-op when the query already ended. */
export const DeadlineJob = z.object({ type: z.literal('deadline'), queryId: z.string().min(1) });
export const ControlJob = z.discriminatedUnion('type', [DecideJob, ObserveJob, DeadlineJob]);
export type DecideJob = z.infer<typeof DecideJob>;
export type ObserveJob = z.infer<typeof ObserveJob>;
export type DeadlineJob = z.infer<typeof DeadlineJob>;
export type ControlJob = z.infer<typeof ControlJob>;

/** One tool call of one turn; it is enqueued once all the calls it depends on have ended. */
export const ToolJob = z.object({
  queryId: z.string().min(1),
  conversationId: z.string().min(1),
  turn: z.number().int().nonnegative(),
  index: z.number().int().nonnegative(),
  callId: z.string().min(1),
  name: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()),
  /** Indexes of the calls of this turn it waited for (optional: added after the first release). */
  dependsOn: z.array(z.number().int().nonnegative()).optional(),
});
export type ToolJob = z.infer<typeof ToolJob>;

export const DeliveryJob = z.object({
  queryId: z.string().min(1),
  conversationId: z.string().min(1),
  channel: z.string().min(1),
  /** Platform-specific address of the customer (chat id, phone number, Slack channel). */
  recipient: z.string().optional(),
});
export type DeliveryJob = z.infer<typeof DeliveryJob>;

export const HandoffJob = z.object({
  queryId: z.string().min(1),
  conversationId: z.string().min(1),
  customerId: z.string().optional(),
  summary: z.string(),
  reason: z.string(),
  traceId: z.string(),
  language: Language,
});
export type HandoffJob = z.infer<typeof HandoffJob>;

export const JOB_SCHEMAS = {
  reasoning: ReasonJob,
  control: ControlJob,
  tools: ToolJob,
  deliveries: DeliveryJob,
  handoff: HandoffJob,
} as const;
export type JobPayload<Q extends QueueName> = z.infer<(typeof JOB_SCHEMAS)[Q]>;

/** Validate a job payload; a bad one throws an unrecoverable error naming the bad fields. */
export function parseJob<Q extends QueueName>(queue: Q, data: unknown): JobPayload<Q> {
  const r = JOB_SCHEMAS[queue].safeParse(data);
  if (!r.success) throw new InvalidPayloadError(queue, formatIssues(r.error));
  return r.data as JobPayload<Q>;
}

export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}
