// Errors carry whether to retry, so a worker can decide without string matching.
// `isStewardError` checks a marker, not `instanceof`, so it holds across package copies.

const MARKER = Symbol.for('steward.error');

export type ErrorKind = 'validation' | 'not_found' | 'conflict' | 'unauthorized' | 'rate_limited' | 'unavailable' | 'internal';

export class StewardError extends Error {
  readonly [MARKER] = true;
  readonly code: string;
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly details: unknown;
  /** For rate_limited: how long the caller should wait. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: string,
    message: string,
    opts: { kind?: ErrorKind; retryable?: boolean; details?: unknown; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = opts.kind ?? 'internal';
    this.retryable = opts.retryable ?? (this.kind === 'unavailable' || this.kind === 'rate_limited');
    this.details = opts.details;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export function isStewardError(e: unknown): e is StewardError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[MARKER] === true;
}

/** A job payload that can never succeed: the worker must fail it without retry. */
export class InvalidPayloadError extends StewardError {
  constructor(queue: string, issues: string) {
    super('invalid_payload', `invalid ${queue} job payload: ${issues}`, { kind: 'validation', retryable: false });
  }
}

export class TransientError extends StewardError {
  constructor(code: string, message: string, opts: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(code, message, { kind: 'unavailable', retryable: true, ...opts });
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
