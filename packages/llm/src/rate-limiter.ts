// Requests-per-minute across every reasoning-worker: one GCRA (generic cell rate algorithm)
// state per key in Redis, checked and updated by one Lua script, so two workers can never both
// take the last slot. The clock is Redis's own (TIME), so workers with skewed clocks agree.
import type { Redis } from 'ioredis';
import { keysFor } from '@steward/core';

export type SlotResult = { ok: true } | { ok: false; retryAfterMs: number };

export interface SlotOptions {
  /**
   * Requests allowed back to back before the steady rate applies. Default rpm/10 (at least 1):
   * at most rpm + burst requests fall in any 60-second window.
   */
  burst?: number;
}

// KEYS[1] = state key; ARGV[1] = emission interval (ms), ARGV[2] = burst tolerance (ms).
// The state is the theoretical arrival time (TAT) of the next request, in ms.
const GCRA = `
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local allow_at = tat - tolerance
if now < allow_at then
  return {0, math.ceil(allow_at - now)}
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.ceil(new_tat - now + interval))
return {1, 0}
`;

/**
 * Take one LLM request slot of `rpm` per minute under `key` (shared by the whole fleet).
 * `{ok:false, retryAfterMs}` says when the next slot opens; the caller delays its job by that.
 * An rpm of 0 or less means unlimited.
 */
export async function acquireLlmSlot(redis: Redis, key: string, rpm: number, opts: SlotOptions = {}): Promise<SlotResult> {
  if (!(rpm > 0)) return { ok: true };
  const interval = 60_000 / rpm;
  const burst = Math.max(1, Math.floor(opts.burst ?? Math.ceil(rpm / 10)));
  const tolerance = interval * (burst - 1);
  const [ok, wait] = (await redis.eval(GCRA, 1, key, String(interval), String(tolerance))) as [number, number];
  return ok === 1 ? { ok: true } : { ok: false, retryAfterMs: Math.max(1, wait) };
}

/** The limiter key of a deployment: inside its hash-tagged prefix, per model if limits differ. */
export function llmSlotKey(prefix: string, model = 'all'): string {
  return keysFor(prefix).llmRpm(model);
}
