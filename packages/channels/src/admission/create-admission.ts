import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PostMessageBody } from '@steward/core';
import { createKeys, rateLimited, type Admission, type AdmissionPlan, type IntakeDeps, type Sender } from '@steward/store';
import { CHANNEL_LIMITS } from '../constants.ts';
import { channelKeys } from '../keys.ts';
import { TAKE_TOKENS } from './token-bucket-lua.ts';
import { RefusalMemo } from './refusal-memo.ts';

export type Admit = NonNullable<IntakeDeps['admit']>;
export type { Admission };

/** A token bucket: `rate` tokens per second refill it, up to `burst`. */
export interface BucketSpec {
  rate: number;
  burst: number;
}

/** Anything that reports BullMQ job counts (a Queue). */
export interface BacklogSource {
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

export interface AdmissionOptions {
  /** Every principal (API key owner, platform integration, the web chat) has one, always. */
  perPrincipal?: BucketSpec;
  perCustomer?: BucketSpec;
  perChannel?: BucketSpec;
  /** Waiting + delayed reasoning jobs above which new messages are refused as `overloaded`. */
  maxBacklog?: number;
  queues?: { reasoning: BacklogSource };
  overloadedRetryAfterSec?: number;
  backlogCacheMs?: number;
  /** Bucket sets remembered as refused (CHANNEL_LIMITS.refusalMemoMax). */
  refusalMemoMax?: number;
}

/**
 * The ingress `admit` hook: a global backlog threshold first (cheap, cached), then fairness
 * through token buckets taken atomically — one per principal (keyed on who authenticated, so
 * rotating ids in the body never yields a fresh bucket), one per customer (the customer named
 * by a principal that may name one, else the platform user from the signed payload), and one
 * per channel, so one platform's burst cannot starve the others.
 * `admit.plan` is what the intake uses: it names the buckets and the accept script takes them in
 * the same call as the accept (one round trip per message). Called on its own, `admit` takes
 * them itself. Either way a refusal is remembered until its wait is over (see refusal-memo.ts).
 */
export function createAdmission(redis: Redis, keys: { prefix: string }, o: AdmissionOptions): Admit {
  const ck = channelKeys(keys.prefix);
  const sk = createKeys(keys.prefix);
  const backlog = cachedBacklog(o);
  const memo = new RefusalMemo(o.refusalMemoMax ?? CHANNEL_LIMITS.refusalMemoMax);
  const plan = async (msg: PostMessageBody, sender?: Sender): Promise<AdmissionPlan> => {
    if (o.maxBacklog !== undefined && backlog) {
      const n = await backlog();
      if (n >= o.maxBacklog) {
        return {
          ok: false,
          code: 'overloaded',
          message: 'steward is busy; retry shortly',
          retryAfterSec: o.overloadedRetryAfterSec ?? CHANNEL_LIMITS.overloadedRetryAfterSec,
        };
      }
    }
    const bucketKeys: string[] = [];
    const specs: number[] = [];
    if (o.perPrincipal && sender) {
      bucketKeys.push(ck.bucket('principal', sender.principal));
      specs.push(o.perPrincipal.rate, o.perPrincipal.burst);
    }
    // A conversation already bound to a verified customer counts against that customer, on
    // whichever conversation or platform they write from.
    const bound = o.perCustomer && !msg.customerId && msg.conversationId ? await redis.hget(sk.conversation(msg.conversationId), 'customerId') : null;
    const who = customerOf(msg, sender, bound || undefined);
    if (o.perCustomer && who) {
      bucketKeys.push(ck.bucket('customer', hashId(who)));
      specs.push(o.perCustomer.rate, o.perCustomer.burst);
    }
    if (o.perChannel) {
      bucketKeys.push(ck.bucket('channel', msg.channel));
      specs.push(o.perChannel.rate, o.perChannel.burst);
    }
    if (bucketKeys.length === 0) return { ok: true };
    const id = bucketKeys.join(' ');
    const leftMs = memo.refusedFor(id);
    if (leftMs > 0) return rateLimited(leftMs);
    const askedAt = memo.now();
    return { ok: true, charge: { keys: bucketKeys, specs, refused: (waitMs) => memo.refuse(id, askedAt, waitMs) } };
  };
  const admit = async (msg: PostMessageBody, sender?: Sender): Promise<Admission> => {
    const p = await plan(msg, sender);
    if (!p.ok) return p;
    if (!p.charge) return { ok: true };
    const [ok, waitMs] = (await redis.eval(TAKE_TOKENS, p.charge.keys.length, ...p.charge.keys, ...p.charge.specs)) as [number, number];
    if (ok === 1) return { ok: true };
    p.charge.refused?.(waitMs);
    return rateLimited(waitMs);
  };
  return Object.assign(admit, { plan });
}

/**
 * Who a message counts against: the customer (named by a principal that authenticates its
 * customers, or already verified in the conversation), else the platform user from the
 * verified payload. Never a caller-chosen conversation id or recipient: a fresh one per message
 * would be a fresh bucket.
 */
export function customerOf(msg: PostMessageBody, sender?: Sender, verifiedCustomer?: string): string | null {
  if (msg.customerId) return `customer:${msg.customerId}`;
  if (verifiedCustomer) return `customer:${verifiedCustomer}`;
  if (sender?.platformUser) return `${msg.channel}:user:${sender.platformUser}`;
  return null;
}

// Bucket keys carry a hash, not phone numbers or chat ids.
function hashId(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 24);
}

/** Waiting + delayed + prioritized reasoning jobs, read at most once per cache period; concurrent callers share one read. */
function cachedBacklog(o: AdmissionOptions): (() => Promise<number>) | null {
  const q = o.queues?.reasoning;
  if (!q) return null;
  const ttl = o.backlogCacheMs ?? CHANNEL_LIMITS.backlogCacheMs;
  let at = 0;
  let value: Promise<number> | null = null;
  return () => {
    const now = Date.now();
    if (!value || now - at >= ttl) {
      at = now;
      value = q.getJobCounts('waiting', 'delayed', 'prioritized').then((c) => Object.values(c).reduce((a, b) => a + b, 0));
      // A failed read is not cached: the next message asks again.
      value.catch(() => {
        value = null;
      });
    }
    return value;
  };
}
