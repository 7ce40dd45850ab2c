// Structured JSON logs (pino) with personal data redacted by default. Redaction runs on the
// message (after interpolation), on the merged object and on child bindings, so a customer's
// email in `log.info({ body }, 'got %s', text)` never reaches the line in any of those places.
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { currentLogContext } from './log-context.ts';
import { redactDeep, redactPii } from './redact-pii.ts';

export type { Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface CreateLoggerOptions {
  service: string;
  level?: LogLevel;
  /** Redact personal data (default true). Only a local debugging session should turn it off. */
  redact?: boolean;
  /** Where lines go (default stdout). Tests pass a stream and parse the lines. */
  destination?: DestinationStream;
}

/** Bindings a child logger carries so every line of one step can be found together. */
export interface LogBindings {
  queryId?: string;
  conversationId?: string;
  jobId?: string;
  traceId?: string;
  spanId?: string;
  turn?: number;
  [key: string]: unknown;
}

export function createLogger(opts: CreateLoggerOptions): Logger {
  const redact = opts.redact ?? true;
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base: { service: opts.service },
    // The current job's ids (queue, jobId, queryId, turn, traceId) on every line; fields the
    // call itself passes win.
    mixin: () => currentLogContext(),
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      ...(redact
        ? {
            log: (obj: Record<string, unknown>) => redactDeep(obj) as Record<string, unknown>,
          }
        : {}),
    },
    // pino hands the final, interpolated message to the serializer of its message key; `err` was
    // already turned into {type, message, stack} by redactDeep in formatters.log.
    serializers: redact
      ? { msg: (m: unknown) => (typeof m === 'string' ? redactPii(m) : redactDeep(m)), err: (e: unknown) => e }
      : { err: pino.stdSerializers.err },
  };
  const logger = opts.destination ? pino(options, opts.destination) : pino(options);
  if (redact) {
    redactChildBindings(logger);
    // Inherited by every child (pino builds them with Object.create), like `child` below.
    Object.defineProperty(logger, REDACTS, { value: true });
  }
  return logger;
}

const REDACTS = Symbol('steward.redacts');

/**
 * Does this logger (made by createLogger, or a child of one) redact personal data? A worker reads
 * the names its conversation learned only for such a logger: without redaction nothing uses them.
 */
export function redactsLogs(log: object): boolean {
  return Reflect.get(log, REDACTS) === true;
}

// pino resets the bindings formatter for children, so child bindings are redacted here instead:
// an own `child` on the root is inherited by every descendant (pino builds them with Object.create).
function redactChildBindings(logger: Logger): void {
  const protoChild = Reflect.get(logger, 'child') as unknown as (this: Logger, b: Record<string, unknown>, o?: unknown) => Logger;
  const child = function (this: Logger, bindings: Record<string, unknown>, options?: unknown): Logger {
    return protoChild.call(this, redactDeep(bindings) as Record<string, unknown>, options);
  };
  Object.defineProperty(logger, 'child', { value: child, writable: true, configurable: true });
}

/** A child logger bound to one query / job / span. */
export function withBindings(logger: Logger, bindings: LogBindings): Logger {
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(bindings)) if (v !== undefined) clean[k] = v;
  return logger.child(clean);
}
