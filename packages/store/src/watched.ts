// "Someone can watch this conversation live": a time in the conversation's hash (`watchedUntil`,
// epoch ms) that the ingress pushes forward while it holds an event stream open for the
// conversation or one of its queries. The reasoning-worker streams a model call only while it is
// in the future (ADR 0032): streamed tokens reach nobody else (webhooks, push platforms and
// polling get the committed answer), and streaming costs CPU on both sides of the model call.
// The worker reads the field with the conversation it loads anyway (loadTurn): no extra command.
import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

/**
 * How long one mark lasts. It outlives the stream that set it on purpose: the web chat closes a
 * query's stream when the answer arrives and opens the next query's stream only after that query
 * was accepted, often after its first model call started; the mark left by the last stream (or
 * the conversation's own stream, which stays open) covers that call.
 */
export const WATCH_MARK_MS = 60_000;

/** An open stream pushes its mark forward this often: two refreshes may fail before it lapses. */
export const WATCH_REFRESH_MS = 20_000;

/**
 * Only an existing conversation is marked (a plain HSET would create a hash without its TTL), and
 * a mark never moves back (two streams of one conversation on two ingress replicas).
 * KEYS: the conversation's hash · ARGV: watchedUntil (epoch ms). Returns 1 when it moved.
 */
const MARK_WATCHED_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local cur = tonumber(redis.call('HGET', KEYS[1], 'watchedUntil')) or 0
if cur >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'watchedUntil', ARGV[1])
return 1
`;

/**
 * Marks the conversation watched until `nowMs + WATCH_MARK_MS`. Call it only for a principal the
 * ownership rule lets read the conversation: the mark itself reveals nothing to anyone (no route
 * returns it) and only decides whether this conversation's own answers are streamed to its own
 * query channel, which only such principals can follow.
 */
export async function markWatched(redis: Redis, keys: Keys, conversationId: string, nowMs: number = Date.now()): Promise<boolean> {
  return (await redis.eval(MARK_WATCHED_LUA, 1, keys.conversation(conversationId), nowMs + WATCH_MARK_MS)) === 1;
}

/** Whether a live watcher can see this conversation's answers being written now (the worker's and the ingress's clocks agree to well under the mark's length). */
export function isWatched(conv: { watchedUntil: number }, nowMs: number = Date.now()): boolean {
  return conv.watchedUntil > nowMs;
}
