import type { Redis } from 'ioredis';
import { ChatMessage, DEFAULTS } from '@steward/core';
import type { Keys } from './keys.ts';

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
    const key = this.keys.conversation(conversationId);
    await this.redis.multi().hset(key, fields).expire(key, this.ttlSec).exec();
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
    await this.redis
      .multi()
      .rpush(key, ...messages.map((m) => JSON.stringify(m)))
      .ltrim(key, -2000, -1)
      .expire(key, this.ttlSec)
      .exec();
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
    await this.redis
      .multi()
      .ltrim(listKey, evictedRaw.length, -1)
      .hset(this.keys.conversation(conversationId), 'summary', next)
      .exec();
  }
}
