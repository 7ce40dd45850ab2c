import { hash, randomFillSync } from 'node:crypto';

// Ids draw their random bytes from a pool refilled by one CSPRNG call per 4 KiB (as Node's own
// randomUUID does): a randomBytes call per id cost a native call and a Buffer each, several per
// query in every process (issue 17). Each byte of the pool is handed out once.
const POOL = Buffer.allocUnsafeSlow(4096);
let poolAt = POOL.length;

/** `bytes` random bytes (at most 4096) as lowercase hex. */
export function randomHex(bytes: number): string {
  if (poolAt + bytes > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const s = POOL.toString('hex', poolAt, poolAt + bytes);
  poolAt += bytes;
  return s;
}

/** Time-ordered, URL-safe id: 12 hex of milliseconds + 10 hex random. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(16).padStart(12, '0')}${randomHex(5)}`;
}

export const newQueryId = (): string => newId('q');
export const newConversationId = (): string => newId('c');

export function newTraceId(): string {
  return randomHex(16);
}
export function newSpanId(): string {
  return randomHex(8);
}

/**
 * A span id derived from a stable name, so a re-exported span keeps its id. One-shot `hash`:
 * a Hash object per id cost ~4× as much for these short names (every step's event has one).
 */
export function stableSpanId(...parts: string[]): string {
  const h = hash('sha256', parts.join('|'), 'hex').slice(0, 16);
  return h === '0000000000000000' ? '0000000000000001' : h;
}

/**
 * Deterministic BullMQ job ids: a redelivered or repeated step never enqueues twice.
 * BullMQ only accepts a ':' in a custom id when the id has exactly three ':'-separated parts,
 * so every id here has three (and query ids never contain ':').
 */
export const jobIds = {
  reason: (queryId: string, turn: number) => `${queryId}:t${turn}:reason`,
  decide: (queryId: string, turn: number) => `${queryId}:t${turn}:decide`,
  toolCall: (queryId: string, turn: number, index: number) => `${queryId}:t${turn}:c${index}`,
  observe: (queryId: string, turn: number) => `${queryId}:t${turn}:observe`,
  deadline: (queryId: string) => `${queryId}:q:deadline`,
  delivery: (queryId: string) => `${queryId}:q:deliver`,
  handoff: (queryId: string) => `${queryId}:q:handoff`,
};

/** Idempotency key of a write: one per (query, turn, tool call). */
export function idempotencyKey(queryId: string, turn: number, callId: string): string {
  return `${queryId}:t${turn}:${callId}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
export function parseTraceparent(h: string | undefined): { traceId: string; parentSpanId: string } | undefined {
  const m = h ? TRACEPARENT.exec(h.trim().toLowerCase()) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, parentSpanId: m[2]! };
}
