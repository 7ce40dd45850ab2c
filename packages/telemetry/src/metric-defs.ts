// Every metric steward exposes, with its help text and histogram buckets, in one place so the
// recorder (Redis) and the renderer (Prometheus text) cannot disagree.
import { OUTCOME_CLASSES } from './outcome-class.ts';

export type MetricType = 'counter' | 'histogram' | 'gauge';

export interface MetricDef {
  type: MetricType;
  help: string;
  /** Upper bounds of the histogram buckets (the +Inf bucket is implicit). */
  buckets?: readonly number[];
  /** Series rendered as 0 before anything happened, so dashboards and alerts see them. */
  zeroSeries?: ReadonlyArray<Record<string, string>>;
}

/** OpenTelemetry GenAI semantic-conventions bucket advice. */
const GENAI_TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const GENAI_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

export const METRICS = {
  steward_job_wait_seconds: {
    type: 'histogram',
    help: 'Time a job waited in its queue before a worker took it, by queue.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  },
  steward_job_processing_seconds: {
    type: 'histogram',
    help: 'Time a worker spent on one job, by queue.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  },
  steward_ingress_ack_seconds: {
    type: 'histogram',
    help: 'Time from a POST /v1/messages reaching the ingress to its answer, by outcome (accepted: 202, refused: 4xx, unavailable: 5xx).',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  },
  steward_queries_accepted_total: { type: 'counter', help: 'Customer queries accepted by ingress, by channel.' },
  steward_queries_total: {
    type: 'counter',
    help: 'Queries that ended, by outcome (answered, fallback, loop_detected, handoff, failed).',
    zeroSeries: OUTCOME_CLASSES.map((outcome) => ({ outcome })),
  },
  steward_query_duration_seconds: {
    type: 'histogram',
    help: 'Wall-clock time from acceptance to the end of a query.',
    buckets: [0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60],
  },
  steward_query_turns: { type: 'histogram', help: 'ReAct turns per completed query.', buckets: [1, 2, 3, 4, 5, 6, 7, 8, 10, 12] },
  steward_llm_calls_total: { type: 'counter', help: 'LLM calls, by model and status (ok, error).' },
  steward_llm_tokens_total: { type: 'counter', help: 'LLM tokens, by type (input, output, cached_input).' },
  steward_llm_cost_usd_total: { type: 'counter', help: 'Estimated LLM cost in US dollars, by model.' },
  steward_llm_call_duration_seconds: {
    type: 'histogram',
    help: 'Duration of one LLM call including its retries, by model.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
  },
  steward_llm_retries_total: { type: 'counter', help: 'Retries of LLM calls (rate limits, timeouts), by model.' },
  steward_llm_errors_total: { type: 'counter', help: 'LLM calls that failed after their retries, by model.' },
  steward_tool_calls_total: { type: 'counter', help: 'Tool calls, by tool and status (ok, error).' },
  steward_tool_duration_seconds: {
    type: 'histogram',
    help: 'Duration of one tool call, by tool.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  },
  steward_tool_cache_hits_total: { type: 'counter', help: 'Tool calls answered from the shared result cache, by tool.' },
  steward_tool_cache_misses_total: { type: 'counter', help: 'Tool calls that missed the shared result cache, by tool.' },
  steward_control_decisions_total: { type: 'counter', help: 'Controller decisions, by kind.' },
  steward_loop_warnings_total: {
    type: 'counter',
    help: 'Loop detector signals, by level (warning, critical).',
    zeroSeries: [{ level: 'warning' }, { level: 'critical' }],
  },
  steward_audit_denied_total: { type: 'counter', help: 'Tool calls refused by the identity/ownership audit.', zeroSeries: [{}] },
  steward_identity_verification_locked_total: {
    type: 'counter',
    help: 'Identity verifications refused after too many failed attempts (per conversation or per principal).',
    zeroSeries: [{}],
  },
  steward_handoffs_total: { type: 'counter', help: 'Conversations handed off to a human agent.', zeroSeries: [{}] },
  steward_handoff_sla_breaches_total: { type: 'counter', help: 'Handoffs nobody claimed within the SLA (HANDOFF_SLA_MINUTES).', zeroSeries: [{}] },
  steward_handoff_wait_seconds: {
    type: 'histogram',
    help: 'Time from a handoff to its claim by an operator.',
    buckets: [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400],
  },
  steward_handoff_handling_seconds: {
    type: 'histogram',
    help: 'Time from the claim of a handoff to its resolution or hand-back.',
    buckets: [30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800],
  },
  steward_deliveries_sent_total: { type: 'counter', help: 'Answers delivered to their channel.', zeroSeries: [{}] },
  steward_deliveries_dead_total: { type: 'counter', help: 'Answers whose delivery failed for good.', zeroSeries: [{}] },
  gen_ai_client_token_usage: {
    type: 'histogram',
    help: 'Number of input and output tokens used per GenAI operation.',
    buckets: GENAI_TOKEN_BUCKETS,
  },
  gen_ai_server_time_to_first_token_seconds: {
    type: 'histogram',
    help: 'Time from the start of a streamed LLM call to its first generated token.',
    buckets: GENAI_DURATION_BUCKETS,
  },
  gen_ai_client_operation_duration_seconds: {
    type: 'histogram',
    help: 'GenAI operation duration.',
    buckets: GENAI_DURATION_BUCKETS,
  },
  steward_queue_jobs: { type: 'gauge', help: 'BullMQ jobs per queue and state.' },
} as const satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof METRICS;

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

export function metricDef(name: MetricName): MetricDef {
  return METRICS[name];
}
