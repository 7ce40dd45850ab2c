// The event stream (`{prefix}:events`, a Redis Stream) is the one record of what happened.
// The tracer turns it into spans, the debug trace and metrics; SSE clients watch it per query.
import { z } from 'zod';

export const EVENT_TYPES = [
  'query.accepted',
  'query.started',
  'llm.call',
  'tool.call',
  'control.decision',
  'query.completed',
  'audit.denied',
  'delivery.sent',
  'delivery.dead',
  'handoff.created',
  /** A message in a conversation a person owns (customer, operator reply, internal note). */
  'handoff.message',
  /** An operator action changed a handoff (claimed, transferred, resolved, returned to the agent). */
  'handoff.updated',
  /** A handoff nobody claimed within the SLA (the customer was told a person is coming). */
  'handoff.sla_breached',
] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

// Every schema here is z.compile'd: Zod generates a parser for it once, with the same result
// and the same issues (a failing input is parsed again by the runtime parser for its issues).
// Events are parsed where they are written and again by every reader (the tracer's two groups,
// the live streams, the debug trace); the runtime parser of the `data` record visited each key
// through generic code and was most of the tracer's Zod time (issue 17).
export const StewardEvent = z.compile(z.object({
  /** Unique and stable across redelivery of the step that emitted it (used for idempotence). */
  id: z.string().min(1),
  type: EventType,
  /** Epoch milliseconds at which the event was emitted. */
  ts: z.number(),
  queryId: z.string().optional(),
  conversationId: z.string().optional(),
  traceId: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
}));
export type StewardEvent = z.infer<typeof StewardEvent>;

/** data of `llm.call`: one chat completion (span `chat {model}`). */
export const LlmCallEventData = z.compile(z.object({
  turn: z.number().int(),
  spanId: z.string(),
  model: z.string(),
  provider: z.string(),
  startMs: z.number(),
  endMs: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cachedInputTokens: z.number().optional(),
  costUsd: z.number(),
  retries: z.number().optional(),
  finishReason: z.string().optional(),
  maxTokens: z.number().optional(),
  temperature: z.number().optional(),
  thought: z.string().optional(),
  proposal: z.string().optional(),
  error: z.string().optional(),
  /** Output tokens spent on reasoning (already in outputTokens). */
  reasoningTokens: z.number().optional(),
  /** Streamed calls: from the start of the successful attempt to its first token. */
  timeToFirstTokenMs: z.number().optional(),
  /** Tokens of the prompt as counted before the call. */
  promptTokens: z.number().optional(),
  /** Share of this prompt that repeats the previous call's prefix (provider prompt caching). */
  prefixReuse: z.number().optional(),
  /** Tokens of the tool definitions offered in this call (native definitions, or their text). */
  toolTokens: z.number().optional(),
  /** Tokens of the prompt per context tier. */
  promptTiers: z.record(z.string(), z.number()).optional(),
}));
export type LlmCallEventData = z.infer<typeof LlmCallEventData>;

/** data of `tool.call`: one tool execution (span `execute_tool {name}`). */
export const ToolCallEventData = z.compile(z.object({
  turn: z.number().int(),
  index: z.number().int(),
  callId: z.string(),
  spanId: z.string(),
  name: z.string(),
  startMs: z.number(),
  endMs: z.number(),
  cacheHit: z.boolean(),
  ok: z.boolean(),
  errorType: z.string().optional(),
  arguments: z.record(z.string(), z.unknown()).optional(),
  result: z.string().optional(),
}));
export type ToolCallEventData = z.infer<typeof ToolCallEventData>;

/** data of `query.completed`: ends the root span `invoke_agent steward`. */
export const QueryCompletedEventData = z.compile(z.object({
  outcome: z.string(),
  reason: z.string(),
  rootSpanId: z.string(),
  parentSpanId: z.string().optional(),
  startMs: z.number(),
  endMs: z.number(),
  turns: z.number(),
  toolCalls: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  language: z.string(),
  answer: z.string().optional(),
}));
export type QueryCompletedEventData = z.infer<typeof QueryCompletedEventData>;

/** data of `control.decision`: a controller decision on the query's trace (loop, limit, confirmation). */
export const ControlDecisionEventData = z.compile(z.object({ kind: z.string(), detail: z.string(), turn: z.number().int() }));
export type ControlDecisionEventData = z.infer<typeof ControlDecisionEventData>;

/** data of `query.accepted`. */
export const QueryAcceptedEventData = z.compile(z.object({
  channel: z.string(),
  language: z.string(),
  customerId: z.string().optional(),
  /** Waiting behind the conversation's running query (optional: older writers did not set it). */
  queued: z.boolean().optional(),
}));
export type QueryAcceptedEventData = z.infer<typeof QueryAcceptedEventData>;

/** data of `query.started` (no writer today: starting is part of accept and complete). */
export const QueryStartedEventData = z.compile(z.object({}));

/** data of `audit.denied`: the shop refused a call for the conversation's customer. */
export const AuditDeniedEventData = z.compile(z.object({ tool: z.string(), customerId: z.string().nullable(), turn: z.number().int() }));

/** data of `delivery.sent`: a platform accepted the answer. */
export const DeliverySentEventData = z.compile(z.object({ channel: z.string(), attempt: z.number().int(), platformMessageId: z.string().optional() }));

/** data of `delivery.dead`: an answer that could not be delivered after every attempt. */
export const DeliveryDeadEventData = z.compile(z.object({ channel: z.string(), code: z.string(), error: z.string(), attempts: z.number().int() }));

/** data of `handoff.created`. */
export const HandoffCreatedEventData = z.compile(z.object({ reason: z.string(), handoffId: z.string(), operator: z.string().optional() }));

/** data of `handoff.message`: a held customer message (`from`) or an operator reply or note (`action`). */
export const HandoffMessageEventData = z.compile(z.object({
  handoffId: z.string(),
  from: z.literal('customer').optional(),
  action: z.enum(['reply', 'note']).optional(),
  state: z.string().optional(),
  operator: z.string().optional(),
  replyQueryId: z.string().optional(),
}));

/** data of `handoff.updated`: an operator action that changed the handoff. */
export const HandoffUpdatedEventData = z.compile(z.object({
  handoffId: z.string(),
  action: z.string(),
  state: z.string(),
  operator: z.string(),
  to: z.string().optional(),
  waitMs: z.number().optional(),
  handlingMs: z.number().optional(),
}));

/** data of `handoff.sla_breached`. */
export const HandoffSlaBreachedEventData = z.compile(z.object({
  handoffId: z.string(),
  waitMs: z.number(),
  slaMs: z.number(),
  channel: z.string(),
  noticeQueryId: z.string(),
}));

/**
 * The data schema of every event type: writers check it when the event is written (not only
 * the tracer when it reads), so a malformed event fails at its source, and `EventData<T>` types
 * the data a writer passes for type T.
 */
export const EVENT_DATA_SCHEMAS = {
  'query.accepted': QueryAcceptedEventData,
  'query.started': QueryStartedEventData,
  'llm.call': LlmCallEventData,
  'tool.call': ToolCallEventData,
  'control.decision': ControlDecisionEventData,
  'query.completed': QueryCompletedEventData,
  'audit.denied': AuditDeniedEventData,
  'delivery.sent': DeliverySentEventData,
  'delivery.dead': DeliveryDeadEventData,
  'handoff.created': HandoffCreatedEventData,
  'handoff.message': HandoffMessageEventData,
  'handoff.updated': HandoffUpdatedEventData,
  'handoff.sla_breached': HandoffSlaBreachedEventData,
} as const satisfies Record<EventType, z.ZodType>;

/** The data a writer passes for an event of type T. */
export type EventData<T extends EventType> = z.input<(typeof EVENT_DATA_SCHEMAS)[T]>;
