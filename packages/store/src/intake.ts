import {
  DEFAULTS,
  detectLanguage,
  newConversationId,
  newQueryId,
  newTraceId,
  parseTraceparent,
  type Language,
  type PostMessageBody,
} from '@steward/core';
import type { EmitInput } from './events.ts';
import type { Keys } from './keys.ts';
import type { QueryStore } from './queries.ts';
import type { Queues } from './queues.ts';
import { endQuery, endingJobs } from './end-query.ts';
import { Outbox } from './outbox.ts';
import { crashPoint } from './crash-point.ts';
import type { Redis } from 'ioredis';
import { onAcceptedMessage, onMessageDuringRun, type ConversationOwner } from '@steward/control';

export type Admission = { ok: true } | { ok: false; code: string; message: string; retryAfterSec: number };

/**
 * Token buckets the accept script takes one token from each (or none) before it writes
 * anything: admission and accept in one round trip. `refused` hears the wait when the script
 * refuses, so the admission can answer the same customer's retries without asking Redis.
 */
export interface BucketCharge {
  keys: readonly string[];
  /** rate₁ (tokens/s), burst₁, rate₂, burst₂, … one pair per key. */
  specs: readonly number[];
  refused?: (waitMs: number) => void;
}

/** What admission decided before the accept: a refusal, or the buckets the accept charges. */
export type AdmissionPlan = Exclude<Admission, { ok: true }> | { ok: true; charge?: BucketCharge | undefined };

/**
 * The `admit` hook. Called on its own it checks and takes the buckets itself (one call); with
 * `plan` the intake asks only what to charge, and the accept script charges it.
 */
export type Admit = ((msg: PostMessageBody, sender?: Sender) => Promise<Admission>) & {
  plan?: (msg: PostMessageBody, sender?: Sender) => Promise<AdmissionPlan>;
};

/**
 * Who sent a message, as established by authentication (never by the message body): the
 * principal of the API key or platform integration, and for platforms the verified sender.
 */
export interface Sender {
  principal: string;
  /** The platform user (Slack user, Telegram user, WhatsApp number hash) from the signed payload. */
  platformUser?: string | undefined;
}

export interface IntakeDeps {
  redis: Redis;
  keys: Keys;
  queries: QueryStore;
  queues: Queues;
  deadlineMs: number;
  /**
   * Backpressure and fairness (per-customer / per-channel rate limits, global backlog): asked
   * before anything is written; a refusal enqueues nothing and becomes a 429 with Retry-After.
   */
  admit?: Admit;
  /**
   * A message arriving while the conversation's query still runs: `queue` (default) answers it
   * after the running one; `restart` ends the running query unanswered (reason `superseded`)
   * and starts the new one, which sees both messages. Answers never interleave either way.
   */
  doubleTexting?: 'queue' | 'restart';
}

export type IntakeResult =
  | { ok: true; status: 'queued'; queryId: string; conversationId: string; duplicate: boolean; traceId: string }
  /** A person owns the conversation: the message went to them (handoff `handoffId`), the agent stays silent. */
  | { ok: true; status: 'held'; queryId: string; conversationId: string; duplicate: boolean; traceId: string; handoffId: string }
  | { ok: false; code: 'conversation_forbidden' | 'customer_mismatch'; message: string }
  | { ok: false; code: string; message: string; retryAfterSec: number };

/** What every message intake needs (the ingress API and each channel adapter). */
export type IntakeContext = IntakeDeps;

/**
 * Accept one customer message: validate-then-enqueue only, never waiting for the model, so
 * platforms get their acknowledgement in milliseconds. Used by `POST /v1/messages` and by
 * every channel adapter.
 */
export async function acceptMessage(
  deps: IntakeDeps,
  msg: PostMessageBody,
  opts: { sender: Sender; traceparent?: string | undefined; now?: number },
): Promise<IntakeResult> {
  const now = opts.now ?? Date.now();
  const conversationId = msg.conversationId ?? newConversationId();
  // Admission decides what to charge (or refuses, having written nothing); the accept script
  // charges it before it writes anything, in the same round trip.
  const a: AdmissionPlan | undefined = deps.admit?.plan ? await deps.admit.plan(msg, opts.sender) : await deps.admit?.(msg, opts.sender);
  if (a && !a.ok) return { ok: false, code: a.code, message: a.message, retryAfterSec: a.retryAfterSec };
  let charge = a && 'charge' in a ? a.charge : undefined;
  const parent = parseTraceparent(opts.traceparent);
  const traceId = parent?.traceId ?? newTraceId();
  const language: Language = localeLanguage(msg.locale) ?? detectLanguage(msg.text);
  const queryId = newQueryId();
  // Written by the accept script itself when it starts or queues the query (see queries.ts).
  const accepted = (queued: boolean): EmitInput => ({
    id: `${queryId}:accepted`,
    type: 'query.accepted',
    queryId,
    conversationId,
    traceId,
    ts: now,
    data: { channel: msg.channel, language, customerId: msg.customerId, queued },
  });
  const accept = (route: 'agent' | 'person') => {
    // Only the first call charges: the script takes the tokens before its 'stale' check, as the
    // separate admission call did before the accept, so a retry after 'stale' is not charged again.
    const once = charge;
    charge = undefined;
    return deps.queries.accept({
      queryId,
      conversationId,
      principal: opts.sender.principal,
      customerId: msg.customerId,
      channel: msg.channel,
      messageId: msg.messageId,
      recipient: msg.recipient,
      text: msg.text,
      language,
      traceId,
      parentSpanId: parent?.parentSpanId,
      createdMs: now,
    }, deps.deadlineMs, now, route, accepted, once);
  };
  // Decide (the kernel's onAcceptedMessage) and apply; the script refuses a route decided from an
  // owner that is not the conversation's now ('stale'), and we load the conversation and decide
  // again. Start or queue is decided again inside the script, by the same rule. The first try
  // assumes what nearly every message meets, the agent answering: the script's check makes a
  // wrong guess cost one refused call (a person-owned conversation), and the common case saves
  // the HMGET that loaded the owner before every accept (issue 17).
  const decide = (s: Awaited<ReturnType<typeof conversationOf>>) =>
    accept(onAcceptedMessage(s, { queryId, text: msg.text, nowMs: now, deadlineMs: deps.deadlineMs }).route);
  const first = charge;
  let r = await decide(AGENT_ANSWERS);
  for (let i = 0; r.kind === 'stale' && i < 5; i++) r = await decide(await conversationOf(deps, conversationId));
  if (r.kind === 'rate_limited') {
    first?.refused?.(r.waitMs);
    return rateLimited(r.waitMs);
  }
  if (r.kind === 'stale') return { ok: false, code: 'conversation_busy', message: 'the conversation changed hands; retry', retryAfterSec: 1 };
  if (r.kind === 'held') {
    return { ok: true, status: 'held', queryId, conversationId, duplicate: false, traceId, handoffId: r.handoffId };
  }
  // Both refusals are 403s that created nothing; neither says who the owner is.
  if (r.kind === 'forbidden') {
    return { ok: false, code: 'conversation_forbidden', message: 'this conversation belongs to another caller' };
  }
  if (r.kind === 'conflict') {
    return { ok: false, code: 'customer_mismatch', message: 'this conversation belongs to another customer' };
  }
  if (r.kind === 'duplicate') {
    // A platform retry: answer with the first acceptance. Accepting and starting were one
    // script, so it was started (or queued behind another); jobs a crash left in the outbox
    // are relayed by the sweeper.
    const first = await deps.queries.get(r.queryId);
    return {
      ok: true,
      status: 'queued',
      queryId: r.queryId,
      conversationId: first?.conversationId ?? conversationId,
      duplicate: true,
      traceId: first?.traceId ?? traceId,
    };
  }
  // The accepted event and the start's job were written by the accept script (ADR 0040): there
  // is nothing to relay. The crash point marks the moment right after that commit.
  if (r.kind === 'start') crashPoint('intake.after_accept');
  if (r.kind === 'queued' && deps.doubleTexting === 'restart') await supersedeActive(deps, conversationId);
  return { ok: true, status: 'queued', queryId, conversationId, duplicate: false, traceId };
}

/** The refusal's text, the same whether the accept script or a standalone admission refused. */
const RATE_LIMITED = 'too many messages; retry later';

/** A rate-limit refusal whose Retry-After (whole seconds, at least 1) covers the buckets' wait. */
export function rateLimited(waitMs: number): Extract<Admission, { ok: false }> {
  return { ok: false, code: 'rate_limited', message: RATE_LIMITED, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) };
}

/** The first guess of acceptMessage: the agent answers (an owner the script checks itself). */
const AGENT_ANSWERS: { owner: ConversationOwner; activeQueryId: string | null } = { owner: 'agent', activeQueryId: null };

async function conversationOf(deps: IntakeDeps, conversationId: string): Promise<{ owner: ConversationOwner; activeQueryId: string | null }> {
  const [owner, active] = await deps.redis.hmget(deps.keys.conversation(conversationId), 'answeredBy', 'activeQueryId');
  return { owner: owner === 'person' ? 'person' : 'agent', activeQueryId: active ?? null };
}

/**
 * The `restart` mode (the kernel's onMessageDuringRun): end the running query unanswered; its
 * completion starts the next one in the same step.
 */
async function supersedeActive(deps: IntakeDeps, conversationId: string): Promise<void> {
  const active = await deps.redis.hget(deps.keys.conversation(conversationId), 'activeQueryId');
  const q = active ? await deps.queries.get(active) : null;
  const t = onMessageDuringRun(q, deps.doubleTexting ?? 'queue');
  if (!q || !t?.completion) return;
  const outbox = new Outbox(deps.redis, deps.keys, deps.queues);
  const c = t.completion;
  await endQuery({ queries: deps.queries, outbox }, q, { outcome: c.outcome, reason: c.reason, state: t.to.state, answer: c.answer ?? '', ...endingJobs(t.jobs) });
}

function localeLanguage(locale: string | undefined): Language | undefined {
  if (!locale) return undefined;
  const l = locale.toLowerCase();
  return l.startsWith('zh') ? 'zh' : l.startsWith('en') ? 'en' : undefined;
}

export const DEFAULT_DEADLINE_MS = DEFAULTS.deadlineMs;
