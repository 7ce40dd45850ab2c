import type { Redis } from 'ioredis';
import { ChatMessage, DEFAULTS } from '@steward/core';
import type { Keys } from './keys.ts';

/**
 * HSET the fields and give the hash its TTL again, atomically, by EVALSHA (the store's `eval`).
 * Not MULTI: an ioredis MULTI builds a Pipeline, which copies every script BullMQ defined on the
 * connection (dozens) — ~7 % of the reasoning-worker's CPU at one write per turn (issue 17).
 * KEYS: hash · ARGV: ttlSec, field, value, …
 */
export const SET_FIELDS_LUA = `
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
`;

/** RPUSH the messages, keep the last 2,000, renew the TTL. KEYS: list · ARGV: ttlSec, message, … */
const APPEND_TRANSCRIPT = `
redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
redis.call('LTRIM', KEYS[1], -2000, -1)
redis.call('EXPIRE', KEYS[1], ARGV[1])
`;

/** Drop the folded messages and store the summary they were folded into. KEYS: list, hash · ARGV: count, summary */
const FOLD_SUMMARY = `
redis.call('LTRIM', KEYS[1], ARGV[1], -1)
redis.call('HSET', KEYS[2], 'summary', ARGV[2])
`;

export interface ConversationState {
  conversationId: string;
  customerId: string | null;
  summary: string;
  activeQueryId: string | null;
  /** Canonical key of the write action the customer was asked to confirm (confirmation policy). */
  pendingConfirmation: string | null;
  /** The working memory as stored JSON ('' when none): parse with @steward/context's parseMemory. */
  memory: string;
  /** Segment hashes of the previous prompt (reasoning-worker's prefix-reuse measure), '' when none. */
  promptPrefix: string;
  /** Until when (epoch ms, 0 when never) a live client may be watching: see watched.ts. */
  watchedUntil: number;
  messages: ChatMessage[];
}

/** A conversation from its hash and its messages list as Redis returns them. */
export function conversationState(conversationId: string, h: Record<string, string>, msgs: readonly string[]): ConversationState {
  return {
    conversationId,
    customerId: h.customerId || null,
    summary: h.summary ?? '',
    activeQueryId: h.activeQueryId || null,
    pendingConfirmation: h.pendingConfirmation || null,
    memory: h.memory ?? '',
    promptPrefix: h.promptPrefix ?? '',
    watchedUntil: Number(h.watchedUntil) || 0,
    messages: msgs.map((m) => ChatMessage.parse(JSON.parse(m))),
  };
}

export class ConversationStore {
  private readonly redis: Redis;
  private readonly keys: Keys;
  /** CONVERSATION_IDLE_TTL_SEC: every write gives the conversation this long again. */
  private readonly ttlSec: number;

  constructor(redis: Redis, keys: Keys, ttlSec: number = DEFAULTS.conversationTtlSec) {
    this.redis = redis;
    this.keys = keys;
    this.ttlSec = ttlSec;
  }

  async get(conversationId: string): Promise<ConversationState> {
    const [h, msgs] = await Promise.all([
      this.redis.hgetall(this.keys.conversation(conversationId)),
      this.redis.lrange(this.keys.conversationMessages(conversationId), 0, -1),
    ]);
    return conversationState(conversationId, h, msgs);
  }

  async customerId(conversationId: string): Promise<string | null> {
    return (await this.redis.hget(this.keys.conversation(conversationId), 'customerId')) || null;
  }

  /** Bind the customer proven by an identification tool; the first identity wins for good. */
  async bindCustomer(conversationId: string, customerId: string): Promise<string> {
    const key = this.keys.conversation(conversationId);
    await this.redis.hsetnx(key, 'customerId', customerId);
    return (await this.redis.hget(key, 'customerId')) ?? customerId;
  }

  async setFields(conversationId: string, fields: Record<string, string>): Promise<void> {
    const argv: string[] = [];
    for (const [f, v] of Object.entries(fields)) argv.push(f, v);
    await this.redis.eval(SET_FIELDS_LUA, 1, this.keys.conversation(conversationId), this.ttlSec, ...argv);
  }

  /**
   * setFields' script and its KEYS and ARGV, for a caller that writes the fields inside a script
   * it sends anyway (the reasoning-worker's prompt prefix goes with its llm.call event).
   */
  setFieldsArgs(conversationId: string, fields: Record<string, string>): { key: string; argv: string[] } {
    const argv: string[] = [String(this.ttlSec)];
    for (const [f, v] of Object.entries(fields)) argv.push(f, v);
    return { key: this.keys.conversation(conversationId), argv };
  }

  /** The stored working memory JSON ('' when none). */
  async memory(conversationId: string): Promise<string> {
    return (await this.redis.hget(this.keys.conversation(conversationId), 'memory')) ?? '';
  }

  /** Store the working memory with the conversation (same hash, so the same TTL). */
  async setMemory(conversationId: string, json: string): Promise<void> {
    await this.setFields(conversationId, { memory: json });
  }

  async clearField(conversationId: string, field: string): Promise<void> {
    await this.redis.hdel(this.keys.conversation(conversationId), field);
  }

  async appendTranscript(conversationId: string, messages: ChatMessage[]): Promise<void> {
    if (!messages.length) return;
    const key = this.keys.conversationTranscript(conversationId);
    await this.redis.eval(APPEND_TRANSCRIPT, 1, key, this.ttlSec, ...messages.map((m) => JSON.stringify(m)));
  }

  async transcript(conversationId: string): Promise<ChatMessage[]> {
    const raw = await this.redis.lrange(this.keys.conversationTranscript(conversationId), 0, -1);
    return raw.map((m) => ChatMessage.parse(JSON.parse(m)));
  }

  /**
   * Fold the oldest messages beyond the verbatim window into the rolling summary. `fold`
   * receives the previous summary and the evicted messages, so the summary is updated
   * incrementally, never recomputed from the whole history.
   */
  async compact(
    conversationId: string,
    keep: number,
    fold: (summary: string, evicted: ChatMessage[]) => string,
    /**
     * The message count the caller just read (the completion script returns it): at or below
     * `keep` nothing is read again. A message appended since only delays compaction to the next call.
     */
    knownLength?: number,
  ): Promise<void> {
    if (knownLength !== undefined && knownLength <= keep) return;
    const listKey = this.keys.conversationMessages(conversationId);
    const len = await this.redis.llen(listKey);
    if (len <= keep) return;
    const evictedRaw = await this.redis.lrange(listKey, 0, len - keep - 1);
    const summary = (await this.redis.hget(this.keys.conversation(conversationId), 'summary')) ?? '';
    const next = fold(summary, evictedRaw.map((m) => ChatMessage.parse(JSON.parse(m))));
    await this.redis.eval(FOLD_SUMMARY, 2, listKey, this.keys.conversation(conversationId), evictedRaw.length, next);
  }
}
