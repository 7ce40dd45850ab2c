// The tracer's environment, parsed once at start-up. OTLP settings are the standard OTEL_*
// variables, read by @steward/telemetry.
import { z } from 'zod';
import { CommonEnv, DEFAULTS, intFromEnv, parseEnv } from '@steward/core';
import { TRACER_DEFAULTS } from './tracer.ts';

export const TracerEnv = CommonEnv.extend({
  TRACER_BATCH_SIZE: intFromEnv(TRACER_DEFAULTS.batchSize),
  TRACER_CLAIM_IDLE_MS: intFromEnv(TRACER_DEFAULTS.claimIdleMs),
  /** Stable per replica (e.g. the pod name) so a restarted replica resumes its own pending entries. */
  TRACER_CONSUMER_NAME: z.string().min(1).optional(),
  /** /healthz, /readyz and /metrics of the tracer itself; 0 turns the server off. */
  TRACER_PORT: intFromEnv(DEFAULTS.ports.tracerMetrics),
});
export type TracerConfig = z.infer<typeof TracerEnv>;

export function loadTracerConfig(env: NodeJS.ProcessEnv = process.env): TracerConfig {
  return parseEnv(TracerEnv, env);
}
