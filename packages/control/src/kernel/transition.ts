import type { ChatMessage, EndReason, JobPayload, Language, QueryOutcome, QueryState, QueryStatus, QueueName } from '@steward/core';
import type { ToolRegistry } from '@steward/tools';
import type { LoopTurn } from '../loop-types.ts';
import type { PlannedCall } from './call-result.ts';

// The shape every pure transition of the kernel shares: (snapshot, input, rules) → Transition.
// A transition says everything a step changes — the state it reaches through the table, the
// messages it appends, the decisions it records, the jobs it commits — and the runtime's one
// applier commits it in one script. Nothing here reads Redis, a clock or the environment.

/** What a transition reads of a query (a subset of the stored record). */
export interface QuerySnapshot {
  queryId: string;
  conversationId: string;
  customerId?: string | undefined;
  channel: string;
  recipient?: string | undefined;
  text: string;
  language: Language;
  status: QueryStatus;
  state: QueryState;
  turn: number;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  traceId: string;
  createdMs: number;
  startedMs?: number | undefined;
  deadlineAtMs?: number | undefined;
}

/** Per-query limits of the controller (one config: `controller.limits`). */
export interface KernelLimits {
  maxTurns: number;
  deadlineMs: number;
  maxToolCallsPerQuery: number;
  maxToolCallsPerTurn: number;
  /** Per-query token budget (input + output), 0 = none. */
  tokenBudget: number;
  /** Per-query USD budget, 0 = none. */
  costBudgetUsd: number;
  historyVerbatimMessages: number;
}

/** The fixed rules a transition applies: limits, the confirmation policy, the tool catalog. */
export interface KernelRules {
  limits: KernelLimits;
  requireConfirmation: boolean;
  tools: ToolRegistry;
}

/** A job the step commits to the outbox, with its deterministic id. */
export interface JobSpec<Q extends QueueName = QueueName> {
  queue: Q;
  jobId: string;
  data: JobPayload<Q>;
  /** Epoch ms before which it must not run (no transition sets it since the deadline became no job, ADR 0027). */
  runAt?: number;
}

export function jobSpec<Q extends QueueName>(queue: Q, jobId: string, data: JobPayload<Q>, runAt?: number): JobSpec<Q> {
  return { queue, jobId, data, ...(runAt !== undefined ? { runAt } : {}) };
}

/** A decision of the step, recorded as a `control.decision` event (loop, limit, confirmation). */
export interface Decision {
  kind: string;
  detail: string;
  turn: number;
}

/** How the query ends when the step ends it. */
export interface Completion {
  outcome: QueryOutcome;
  reason: EndReason;
  /** The model's answer or the handoff notice; absent = the fallback in the customer's language. */
  answer?: string;
  /** Summary for the operator when the ending hands the conversation to a person. */
  handoffSummary?: string;
  /** The ending gives the conversation to a person. */
  handsOff: boolean;
}

export interface Transition {
  /** Where the step expects the query (the applier refuses it when the query moved on). */
  from: { state: QueryState; turn: number };
  /** Where the step leaves it: a terminal state when `completion` is set. */
  to: { state: QueryState; turn: number };
  /** Messages appended to the query's scratchpad. */
  steps: ChatMessage[];
  /** Decisions recorded on the query's trace. */
  events: Decision[];
  /** Jobs committed with the step (next turn, tool calls, observe, delivery, handoff). */
  jobs: JobSpec[];
  /** Counters added to the query (tokens, cost, tool calls). */
  incr: Record<string, number>;
  /** Entries appended to the loop-detection history. */
  history?: LoopTurn[];
  /** Query fields set by the step (the loop nudge). */
  set?: Record<string, string>;
  /** The turn's tool DAG, created with the step. */
  dag?: { turn: number; calls: PlannedCall[] };
  /** Conversation fields changed by the step (the pending confirmation). */
  conversation?: { id: string; set?: Record<string, string>; del?: string[] };
  /**
   * The step ends the query. When `recordAt` is set, the step's messages and history are first
   * recorded at that (intermediate) state, then the query ends from there.
   */
  completion?: Completion;
  recordAt?: { state: QueryState; turn: number };
}

/** A query that can take no more steps (a redelivered job finds it so). */
export function hasEnded(q: Pick<QuerySnapshot, 'status'>): boolean {
  return q.status === 'completed' || q.status === 'failed';
}

/**
 * A tool call may still run and record its result for this query: it runs (a query that ended —
 * deadline, loop — changes nothing on its behalf any more, and one that waits has no tools).
 */
export function runsTools(q: Pick<QuerySnapshot, 'status'> | null): boolean {
  return q?.status === 'running';
}
