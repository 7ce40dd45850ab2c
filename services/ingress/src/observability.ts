import type { Redis } from 'ioredis';
import { QUEUES, type StewardEvent } from '@steward/core';
import type { Queues } from '@steward/store';
import { buildDebugTrace, QUEUE_STATES, readMetricsSnapshot, renderDebugReport, renderPrometheus } from '@steward/telemetry';

/** `GET /v1/traces/:id`: the query's reasoning chain from its events, personal data redacted by default. */
export function debugTraceOf(
  events: StewardEvent[],
  o: { redact?: boolean; jaegerUrl?: string; names?: readonly string[] | undefined } = {},
): unknown {
  const trace = buildDebugTrace(events, { redact: o.redact ?? true, ...(o.names ? { names: o.names } : {}) });
  return { ...trace, jaegerUrl: o.jaegerUrl && trace.traceId ? `${o.jaegerUrl.replace(/\/$/, '')}/trace/${trace.traceId}` : null };
}

export { renderDebugReport };

/**
 * `/metrics`: the fleet-wide counters the tracer aggregates in Redis, plus live queue gauges,
 * so every ingress replica serves the same numbers.
 */
export async function renderMetrics(redis: Redis, prefix: string, queues: Queues): Promise<string> {
  const snapshot = await readMetricsSnapshot(redis, prefix);
  const counts: Record<string, Record<string, number>> = {};
  await Promise.all(
    Object.values(QUEUES).map(async (name) => {
      counts[name] = await queues[name].getJobCounts(...QUEUE_STATES);
    }),
  );
  return renderPrometheus(snapshot, counts);
}
