import type { Redis } from 'ioredis';
import { ChatMessage, DEFAULTS, type EndReason, type QueryOutcome, type QueryState, type RetentionSettings } from '@steward/core';
import type { Keys } from './keys.ts';
import { ACCEPT, ADVANCE, BEGIN, COMPLETE } from './lua.ts';
import { QueryRecord } from './query-record.ts';
import { toEvent, type EmitInput } from './events.ts';
import { bindLogContext } from '@steward/telemetry';
import type { DagCall } from './dag.ts';
import { DONE_TTL } from './done-ttl.ts';
import { takePreloadedQuery } from './job-prelude.ts';
import { bullAddArgs } from './bull-add.ts';
import type { JobSpec } from '@steward/control';

export interface NewQuery {
  queryId: string;
  conversationId: string;
  /**
   * The principal (API key owner or platform integration) sending the message; it owns a new
   * conversation. Absent (internal callers, tests) = no principal: such a message cannot enter
   * a conversation someone owns.
   */
  principal?: string | undefined;
  customerId?: string | undefined;
  channel: string;
  messageId?: string | undefined;
  recipient?: string | undefined;
  text: string;
  language: 'en' | 'zh';
  traceId: string;
  parentSpanId?: string | undefined;
  createdMs: number;
}

export type AcceptResult =
  /** `jobs`: outbox members of the start (turn 0, deadline) to relay. */
  | { kind: 'start'; queryId: string; jobs: string[] }
  | { kind: 'queued'; queryId: string }
  | { kind: 'duplicate'; queryId: string }
  /** An admission bucket passed to accept was empty: nothing was written; retry after `waitMs`. */
  | { kind: 'rate_limited'; waitMs: number }
  /** A person answers the conversation: the message was recorded for them; the agent does not answer. */
  | { kind: 'held'; queryId: string; handoffId: string }
  /** Who answers the conversation changed since the caller decided the route: decide again. */
  | { kind: 'stale' }
  /** The conversation names another customer than the one bound to it. */
  | { kind: 'conflict' }
  /** The conversation belongs to another principal. */
  | { kind: 'forbidden' };

export interface AdvanceInput {
  from: { state: QueryState; turn: number };
  to: { state: QueryState; turn: number };
  set?: Record<string, string | number>;
  incr?: Record<string, number>;
  steps?: ChatMessage[];
  history?: unknown[];
  /** Outbox members committed with the step (see outbox.ts): held for the caller's own step, or delayed. */
  jobs?: string[];
  /** Jobs the step's script adds to BullMQ itself (bull-add.ts): no relay, no outbox entry. */
  add?: readonly Pick<JobSpec, 'queue' | 'jobId' | 'data'>[];
  /** The turn's tool DAG, created with the step when it does not exist yet. */
  dag?: { turn: number; calls: DagCall[] };
  /** Conversation fields changed by the step (the pending confirmation), in the same script. */
  conversation?: { id: string; set?: Record<string, string>; del?: string[] };
  nowMs?: number;
}

export interface CompleteInput {
  queryId: string;
  outcome: QueryOutcome;
  reason: EndReason;
  state: QueryState;
  answer: string;
  event: EmitInput;
  incr?: Record<string, number>;
  /** Follow-up jobs (delivery, handoff) committed with the completion, as outbox members. */
  jobs?: string[];
  /** Follow-up jobs the script adds to BullMQ itself (bull-add.ts). */
  add?: readonly Pick<JobSpec, 'queue' | 'jobId' | 'data'>[];
  /** The ending hands the conversation to a person (control's `endingHandsOff`). */
  handsOff?: boolean;
}

/** Query records and their atomic steps (see lua.ts for why each is one script). */
export class QueryStore {
  private readonly redis: Redis;
  readonly keys: Keys;
  private readonly retention: RetentionSettings;

  constructor(redis: Redis, keys: Keys, retention: RetentionSettings = { queryDoneTtlSec: DEFAULTS.queryDoneTtlSec, conversationTtlSec: DEFAULTS.conversationTtlSec }) {
    this.redis = redis;
    this.keys = keys;
    this.retention = retention;
  }

  /**
   * Accept a message and, when the conversation is free, start it in the same script: there is
   * no moment at which a query is accepted but neither queued behind another nor started.
   * `deadlineMs` is stored on the query so whoever starts it later uses the same deadline.
   */
  async accept(
    q: NewQuery,
    deadlineMs: number = DEFAULTS.deadlineMs,
    nowMs: number = Date.now(),
    route: 'agent' | 'person' = 'agent',
    /**
     * The `query.accepted` event, written by the same script when the query starts or queues
     * (`queued` says which), instead of by one more trip after it.
     */
    accepted?: (queued: boolean) => EmitInput,
    /**
     * Admission buckets charged by the same script before it writes anything (one token from
     * each, or none: then `rate_limited`), instead of by a call of their own before the accept.
     */
    charge?: { keys: readonly string[]; specs: readonly number[] },
  ): Promise<AcceptResult> {
    const k = this.keys;
    const fields: string[] = [];
    const rec: Record<string, string | number | undefined> = { ...q, status: 'queued', state: 'idle', turn: 0, deadlineMs };
    for (const [key, v] of Object.entries(rec)) if (v !== undefined) fields.push(key, String(v));
    const dedupeKey = q.messageId ? k.dedupe(q.principal ?? '', q.channel, q.messageId) : '';
    const event = (queued: boolean): string => (accepted ? JSON.stringify(toEvent(accepted(queued))) : '');
    const buckets = charge?.keys ?? [];
    if ((charge?.specs.length ?? 0) !== 2 * buckets.length) throw new Error('accept: a bucket charge needs one rate and one burst per key (a bug, not retryable)');
    const r = (await this.redis.eval(
      ACCEPT,
      7 + buckets.length,
      dedupeKey,
      k.query(q.queryId),
      k.conversation(q.conversationId),
      k.conversationPending(q.conversationId),
      k.conversationQueries(q.conversationId),
      k.events,
      k.queryEvents(q.queryId),
      ...buckets,
      q.queryId,
      DEFAULTS.dedupeTtlSec,
      q.customerId ?? '',
      DEFAULTS.queryTtlSec,
      k.prefix,
      this.retention.conversationTtlSec,
      nowMs,
      route,
      DEFAULTS.eventsStreamMaxLen,
      q.principal ?? '',
      event(false),
      event(true),
      k.queryChannel(q.queryId),
      ...(charge?.specs ?? []),
      ...fields,
    )) as string[];
    if (r[0] === 'rate_limited') return { kind: 'rate_limited', waitMs: Number(r[1]) };
    if (r[0] === 'stale') return { kind: 'stale' };
    if (r[0] === 'held') return { kind: 'held', queryId: q.queryId, handoffId: r[1]! };
    if (r[0] === 'conflict') return { kind: 'conflict' };
    if (r[0] === 'forbidden') return { kind: 'forbidden' };
    if (r[0] === 'duplicate') return { kind: 'duplicate', queryId: r[1]! };
    if (r[0] === 'queued') return { kind: 'queued', queryId: q.queryId };
    return { kind: 'start', queryId: q.queryId, jobs: r.slice(2) };
  }

  /**
   * queued → running without enqueuing anything: for tests that drive the turns themselves.
   * The pipeline starts queries inside accept and complete.
   */
  async begin(q: QueryRecord, nowMs: number, deadlineMs: number): Promise<boolean> {
    const msg: ChatMessage = { role: 'user', content: q.text };
    const r = await this.redis.eval(
      BEGIN,
      2,
      this.keys.query(q.queryId),
      this.keys.conversationMessages(q.conversationId),
      nowMs,
      nowMs + deadlineMs,
      JSON.stringify(msg),
      this.retention.conversationTtlSec,
    );
    return r === 1;
  }

  async get(queryId: string): Promise<QueryRecord | null> {
    // A controller job's prelude read the hash already, in its first round trip (job-prelude.ts).
    return this.fromHash(takePreloadedQuery(this.keys.query(queryId)) ?? (await this.redis.hgetall(this.keys.query(queryId))));
  }

  /** The query of a hash read elsewhere (a script that also read it, e.g. emitEventThenRead), as `get` returns it. */
  fromHash(h: Record<string, string>): QueryRecord | null {
    if (!h.queryId) return null;
    const rec = QueryRecord.parse(h);
    // A job that loads its query logs under the query's trace id from here on.
    bindLogContext({ traceId: rec.traceId, conversationId: rec.conversationId });
    return rec;
  }

  async advance(queryId: string, a: AdvanceInput): Promise<'applied' | 'moved' | 'ended'> {
    const { keys, argv } = this.advanceArgs(queryId, a);
    return advanceResultOf(await this.redis.eval(ADVANCE, keys.length, ...keys, ...argv));
  }

  /** ADVANCE's KEYS and ARGV for one step: for `advance`, and for a script that runs ADVANCE inside it (the reasoning turn's call script). */
  advanceArgs(queryId: string, a: AdvanceInput): { keys: string[]; argv: (string | number)[] } {
    const dag = a.dag
      ? JSON.stringify(
          a.dag.calls.map((c) => ({
            pending: c.pending,
            dependents: c.dependents,
            ...(c.job ? { job: JSON.stringify(c.job) } : {}),
            ...(c.result ? { result: JSON.stringify(c.result) } : {}),
          })),
        )
      : '';
    const steps = (a.steps ?? []).map((s) => JSON.stringify(s));
    const history = (a.history ?? []).map((s) => JSON.stringify(s));
    const jobs = a.jobs ?? [];
    const keys = [
      this.keys.query(queryId),
      this.keys.querySteps(queryId),
      this.keys.queryHistory(queryId),
      a.dag ? this.keys.dag(queryId, a.dag.turn) : '',
      a.conversation ? this.keys.conversation(a.conversation.id) : '',
    ];
    const argv = [
      a.from.state,
      a.from.turn,
      a.to.state,
      a.to.turn,
      JSON.stringify(a.set ?? {}),
      JSON.stringify(a.incr ?? {}),
      steps.length,
      history.length,
      DEFAULTS.queryTtlSec,
      this.keys.prefix,
      a.nowMs ?? Date.now(),
      jobs.length,
      dag,
      JSON.stringify(a.conversation?.set ?? {}),
      JSON.stringify(a.conversation?.del ?? []),
      a.add?.length ?? 0,
      // One argument per entry, as stored: inside a JSON array each would be encoded twice.
      ...steps,
      ...history,
      ...jobs,
      ...(a.add ?? []).flatMap(bullAddArgs),
    ];
    return { keys, argv };
  }

  /**
   * Ends the query exactly once; returns whether this call ended it, the next queued query
   * (started in the same script) and the outbox members to relay.
   */
  async complete(c: CompleteInput, conversationId: string): Promise<Completed> {
    const { keys, argv } = this.completeArgs(c, conversationId);
    const r = completeResultOf(await this.redis.eval(COMPLETE, keys.length, ...keys, ...argv));
    // Not in the same script: a crash in between leaves the running query's TTL, which is bounded too.
    if (r.applied) {
      const t = this.doneTtlArgs(c.queryId);
      await this.redis.eval(DONE_TTL, t.keys.length, ...t.keys, ...t.argv);
    }
    return r;
  }

  /** COMPLETE's KEYS and ARGV for one ending: for `complete`, and for a script that runs COMPLETE inside it. */
  completeArgs(c: CompleteInput, conversationId: string): { keys: string[]; argv: (string | number)[] } {
    const k = this.keys;
    const event = toEvent(c.event);
    const set = {
      // failed = the customer got a fallback instead of what they asked for (the reason says why).
      status: c.outcome === 'fallback' ? 'failed' : 'completed',
      state: c.state,
      outcome: c.outcome,
      reason: c.reason,
      answer: c.answer,
      completedMs: event.ts,
    };
    const answerMsg: ChatMessage = { role: 'assistant', content: c.answer };
    const keys = [k.query(c.queryId), k.conversation(conversationId), k.conversationPending(conversationId), k.conversationMessages(conversationId), k.events, k.queryEvents(c.queryId)];
    const argv = [
      c.queryId,
      JSON.stringify(set),
      c.answer ? JSON.stringify(answerMsg) : '',
      JSON.stringify(event),
      DEFAULTS.eventsStreamMaxLen,
      DEFAULTS.queryTtlSec,
      k.queryChannel(c.queryId),
      k.prefix,
      this.retention.conversationTtlSec,
      JSON.stringify(c.incr ?? {}),
      event.ts,
      JSON.stringify(c.jobs ?? []),
      c.handsOff ? '1' : '',
      JSON.stringify((c.add ?? []).map(bullAddArgs)),
    ];
    return { keys, argv };
  }

  /** DONE_TTL's KEYS and ARGV: an ended query's records get the short done TTL. */
  doneTtlArgs(queryId: string): { keys: string[]; argv: (string | number)[] } {
    const k = this.keys;
    return { keys: [k.query(queryId), k.querySteps(queryId), k.queryHistory(queryId), k.queryEvents(queryId)], argv: [this.retention.queryDoneTtlSec, k.dag(queryId, 0).slice(0, -1)] };
  }

  async steps(queryId: string): Promise<ChatMessage[]> {
    return parseSteps(await this.redis.lrange(this.keys.querySteps(queryId), 0, -1));
  }

  async history<T = unknown>(queryId: string): Promise<T[]> {
    return parseHistory<T>(await this.redis.lrange(this.keys.queryHistory(queryId), 0, -1));
  }
}

/** What an ending's COMPLETE answered: whether this call ended the query, the next queued query it started, the outbox members to relay. */
export interface Completed {
  applied: boolean;
  nextQueryId?: string;
  jobs: string[];
  /** The conversation's message count right after the ending (compaction's cue). */
  messages?: number;
}

/** ADVANCE's reply, read. */
export function advanceResultOf(r: unknown): 'applied' | 'moved' | 'ended' {
  return r === 1 ? 'applied' : r === 0 ? 'moved' : 'ended';
}

/** COMPLETE's reply, read. */
export function completeResultOf(reply: unknown): Completed {
  const r = reply as [number, string, number, ...string[]];
  return { applied: r[0] === 1, ...(r[1] ? { nextQueryId: r[1] } : {}), jobs: r.slice(3) as string[], ...(r[2] >= 0 ? { messages: r[2] } : {}) };
}

/** A query's scratchpad as stored (one JSON message per list entry). */
export function parseSteps(raw: string[]): ChatMessage[] {
  return raw.map((s) => ChatMessage.parse(JSON.parse(s)));
}

/** A query's loop history as stored (one JSON entry per list entry). */
export function parseHistory<T = unknown>(raw: string[]): T[] {
  return raw.map((s) => JSON.parse(s) as T);
}
