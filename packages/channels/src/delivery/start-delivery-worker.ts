import type { Job } from 'bullmq';
import { DelayedError, UnrecoverableError } from 'bullmq';
import { errorMessage, isStewardError, type DeliveryJob, type JobLockSettings } from '@steward/core';
import { QueryStore, createKeys, createRedis, startWorker, type Log } from '@steward/store';
import { redactPii } from '@steward/telemetry';
import { channelsConfigFromEnv, type ChannelsConfig } from '../config.ts';
import { CHANNEL_LIMITS } from '../constants.ts';
import { DeliveryError } from './delivery-error.ts';
import { alreadyDelivered, markDead, markDelivered } from './delivery-records.ts';
import { acquireSendLock, releaseSendLock } from './send-lock.ts';
import type { FetchFn } from './http-post.ts';
import { sendToChannel } from './senders.ts';

export interface DeliveryWorkerOptions {
  redisUrl: string;
  prefix: string;
  log: Log;
  /** Tokens, API bases and callbacks; default: from the environment. */
  channels?: ChannelsConfig;
  concurrency?: number;
  jobLocks?: JobLockSettings;
  timeoutMs?: number;
  fetch?: FetchFn;
}

export interface RunningDeliveryWorker {
  /** Redis reachable (for /readyz). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Consumes `deliveries` (enqueued by the controller for every answered query of a push channel)
 * and posts the answer to the platform. Exactly-once towards the customer, as far as the
 * platform allows: a Redis marker written after the platform accepted is checked before every
 * attempt, and the query id travels as Idempotency-Key for platforms that de-duplicate.
 * Retries come from the job's BullMQ attempts/backoff; the last failure is dead-lettered.
 */
export async function startDeliveryWorker(o: DeliveryWorkerOptions): Promise<RunningDeliveryWorker> {
  const redis = createRedis(o.redisUrl);
  const keys = createKeys(o.prefix);
  const queries = new QueryStore(redis, keys);
  const config = o.channels ?? channelsConfigFromEnv();
  const send = {
    config,
    fetch: o.fetch ?? fetch,
    timeoutMs: o.timeoutMs ?? CHANNEL_LIMITS.deliveryTimeoutMs,
    nowSec: () => Math.floor(Date.now() / 1000),
  };

  const processJob = async (data: DeliveryJob, job: Job, token: string | undefined): Promise<unknown> => {
    const attempt = job.attemptsMade + 1;
    const last = attempt >= (job.opts.attempts ?? 1);
    if (await alreadyDelivered(redis, keys, data.queryId)) return { skipped: 'already_delivered' };
    // Two jobs for one query at once (a repeated enqueue under another id, a stalled job taken
    // over): only one may talk to the platform. The other waits, without spending an attempt,
    // and then finds the marker.
    const lock = await acquireSendLock(redis, keys, data.queryId, send.timeoutMs);
    if (!lock) {
      await job.moveToDelayed(Date.now() + 1000, token);
      throw new DelayedError();
    }
    const q = await queries.get(data.queryId);
    try {
      if (await alreadyDelivered(redis, keys, data.queryId)) return { skipped: 'already_delivered' };
      if (!q) throw new DeliveryError('query_not_found', 'the query record is gone (expired?)', false);
      if (!q.answer) throw new DeliveryError('no_answer', 'the query has no answer to deliver', false);
      const sent = await sendToChannel(
        {
          queryId: q.queryId,
          conversationId: data.conversationId,
          channel: data.channel,
          recipient: data.recipient ?? q.recipient,
          text: q.answer.slice(0, CHANNEL_LIMITS.outboundMaxChars),
          language: q.language,
          outcome: q.outcome,
        },
        send,
      );
      await markDelivered(redis, keys, {
        queryId: data.queryId,
        conversationId: data.conversationId,
        channel: data.channel,
        traceId: q.traceId,
        attempt,
        ...sent,
      });
      o.log.info({ queryId: data.queryId, channel: data.channel, attempt }, 'answer delivered');
      return { delivered: true };
    } catch (e) {
      const retryable = isStewardError(e) ? e.retryable : true;
      // Platform messages may quote what they refused: never store or log them unredacted.
      const error = redactPii(errorMessage(e)).slice(0, 300);
      const code = isStewardError(e) ? e.code : 'delivery_failed';
      o.log.warn({ queryId: data.queryId, channel: data.channel, attempt, code, err: error, retryable }, 'delivery attempt failed');
      if (!retryable || last) {
        await markDead(redis, keys, {
          queryId: data.queryId,
          conversationId: data.conversationId,
          channel: data.channel,
          code,
          error,
          attempts: attempt,
          ts: Date.now(),
          ...(q?.traceId ? { traceId: q.traceId } : {}),
        });
        throw new UnrecoverableError(`${code}: ${error}`);
      }
      throw e;
    } finally {
      await releaseSendLock(redis, keys, data.queryId, lock);
    }
  };

  const worker = startWorker('deliveries', processJob, {
    connection: redis,
    prefix: o.prefix,
    concurrency: o.concurrency ?? CHANNEL_LIMITS.deliveryConcurrency,
    log: o.log,
    ...(o.jobLocks ? { jobLocks: o.jobLocks } : {}),
  });
  await worker.waitUntilReady();
  return {
    ready: async () => (await redis.ping().catch(() => '')) === 'PONG',
    async close() {
      await worker.close();
      redis.disconnect();
    },
  };
}

/** The deliveries worker as a `startSystem` extra role. */
export function deliveryRole(o: Omit<DeliveryWorkerOptions, 'redisUrl' | 'prefix' | 'log'> = {}) {
  return async (ctx: { redisUrl: string; prefix: string; log: Log }): Promise<() => Promise<void>> => {
    const w = await startDeliveryWorker({ ...ctx, ...o });
    return () => w.close();
  };
}
