import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '@steward/store';
import { INGRESS_LIMITS } from './ingress-limits.ts';
import { AnswerStreamMessage, StewardEvent } from '@steward/core';

/** What arrives on a query's live channel: a durable event, or a piece of the answer being written. */
export type LiveMessage = { kind: 'event'; event: StewardEvent } | { kind: 'answer'; message: AnswerStreamMessage } | { kind: 'unknown' };

export function readLiveMessage(json: string): LiveMessage {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return { kind: 'unknown' };
  }
  const a = AnswerStreamMessage.safeParse(v);
  if (a.success) return { kind: 'answer', message: a.data };
  const e = StewardEvent.safeParse(v);
  return e.success ? { kind: 'event', event: e.data } : { kind: 'unknown' };
}

/**
 * One SSE frame for a piece of the answer. No `id:` line: answer pieces are not replayed (the
 * committed answer arrives with `query.completed`), so a reconnecting client must not resume from one.
 */
export function answerFrame(m: AnswerStreamMessage): string {
  const { type, queryId: _q, ...data } = m;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

type Listener = (json: string) => void;

export interface StreamLimits {
  /** Open streams per principal in this process. */
  maxPerPrincipal: number;
  /** Open streams in this process, all principals together. */
  maxTotal: number;
  /** A stream is closed after this long (the client reconnects and replays if it still cares). */
  maxLifetimeMs: number;
}

/** A held stream slot: release it exactly once when the stream ends. */
export interface StreamSlot {
  lifetimeMs: number;
  release(): void;
}

/**
 * Who holds a stream, for the per-principal cap: a digest of the credential presented (the key
 * itself is never kept in memory maps or logs).
 */
export function principalOf(authorization: string | undefined): string {
  return createHash('sha256').update(authorization ?? '').digest('base64url').slice(0, 22);
}

/**
 * One Redis subscriber per ingress process, fanned out to every SSE client watching a query:
 * a thousand watchers cost one connection, not a thousand.
 */
export class LiveEvents {
  private readonly sub: Redis;
  private readonly keys: Keys;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly open = new Map<string, number>();
  private total = 0;
  readonly limits: StreamLimits;

  constructor(sub: Redis, keys: Keys, limits: Partial<StreamLimits> = {}) {
    this.sub = sub;
    this.keys = keys;
    // Each open stream holds a socket, a timer and a listener: without a cap, one key could
    // open thousands and exhaust the process's file descriptors and memory.
    this.limits = {
      maxPerPrincipal: limits.maxPerPrincipal ?? INGRESS_LIMITS.sseMaxPerPrincipal,
      maxTotal: limits.maxTotal ?? INGRESS_LIMITS.sseMaxTotal,
      maxLifetimeMs: limits.maxLifetimeMs ?? INGRESS_LIMITS.sseMaxLifetimeMs,
    };
    sub.on('message', (channel: string, message: string) => {
      for (const l of this.listeners.get(channel) ?? []) l(message);
    });
  }

  /** A slot for one more stream of `principal`, or null when it (or the process) is at its cap. */
  acquire(principal: string): StreamSlot | null {
    const held = this.open.get(principal) ?? 0;
    if (held >= this.limits.maxPerPrincipal || this.total >= this.limits.maxTotal) return null;
    this.open.set(principal, held + 1);
    this.total++;
    let released = false;
    return {
      lifetimeMs: this.limits.maxLifetimeMs,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const n = (this.open.get(principal) ?? 1) - 1;
        if (n <= 0) this.open.delete(principal);
        else this.open.set(principal, n);
      },
    };
  }

  /** Streams open now, for tests and metrics. */
  openStreams(principal?: string): number {
    return principal === undefined ? this.total : (this.open.get(principal) ?? 0);
  }

  async watch(queryId: string, listener: Listener): Promise<() => Promise<void>> {
    return this.watchChannel(this.keys.queryChannel(queryId), listener);
  }

  /** Any channel of this deployment, e.g. the inbox's `handoffLive`. */
  async watchChannel(ch: string, listener: Listener): Promise<() => Promise<void>> {
    let set = this.listeners.get(ch);
    if (!set) {
      set = new Set();
      this.listeners.set(ch, set);
      await this.sub.subscribe(ch);
    }
    set.add(listener);
    return async () => {
      const s = this.listeners.get(ch);
      s?.delete(listener);
      if (s && s.size === 0) {
        this.listeners.delete(ch);
        // A closed or stalled connection has no subscription left to drop: nothing to retry.
        await this.sub.unsubscribe(ch).catch(() => undefined);
      }
    };
  }
}
