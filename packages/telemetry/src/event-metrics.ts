// What one event adds to the metrics, as plain observations (pure, so it is tested without Redis).
import { LlmCallEventData, QueryCompletedEventData, ToolCallEventData, type StewardEvent } from '@steward/core';
import type { MetricName } from './metric-defs.ts';
import { channelLabel, tokenLabel } from './label-bounds.ts';
import { classifyOutcome } from './outcome-class.ts';

export interface Observation {
  name: MetricName;
  labels: Record<string, string>;
  /** Counter: the increment. Histogram: the observed value. */
  value: number;
}

/** Label values come from events; keep them short and tame so a bad emitter cannot explode series. */
export function labelValue(v: unknown, fallback = 'unknown'): string {
  if (typeof v !== 'string' || v.length === 0) return fallback;
  return v.replace(/[^A-Za-z0-9_.:/-]/g, '_').slice(0, 64);
}

const seconds = (startMs: number, endMs: number): number => Math.max(0, endMs - startMs) / 1000;

export function eventObservations(e: StewardEvent): Observation[] {
  const obs: Observation[] = [];
  const add = (name: MetricName, value: number, labels: Record<string, string> = {}): void => {
    if (Number.isFinite(value)) obs.push({ name, labels, value });
  };
  switch (e.type) {
    case 'query.accepted':
      // The channel is chosen by the API caller: only known channels get their own series.
      add('steward_queries_accepted_total', 1, { channel: channelLabel(e.data.channel) });
      break;
    case 'query.completed': {
      const p = QueryCompletedEventData.safeParse(e.data);
      if (!p.success) break;
      const d = p.data;
      add('steward_queries_total', 1, { outcome: classifyOutcome(d.outcome, d.reason) });
      add('steward_query_duration_seconds', seconds(d.startMs, d.endMs));
      add('steward_query_turns', d.turns);
      break;
    }
    case 'llm.call': {
      const p = LlmCallEventData.safeParse(e.data);
      if (!p.success) break;
      const d = p.data;
      const model = tokenLabel(d.model);
      const genai = { gen_ai_operation_name: 'chat', gen_ai_provider_name: tokenLabel(d.provider), gen_ai_request_model: model };
      add('steward_llm_calls_total', 1, { model, status: d.error ? 'error' : 'ok' });
      add('steward_llm_tokens_total', d.inputTokens, { type: 'input' });
      add('steward_llm_tokens_total', d.outputTokens, { type: 'output' });
      if (d.cachedInputTokens) add('steward_llm_tokens_total', d.cachedInputTokens, { type: 'cached_input' });
      add('steward_llm_cost_usd_total', d.costUsd, { model });
      add('steward_llm_call_duration_seconds', seconds(d.startMs, d.endMs), { model });
      if (d.retries) add('steward_llm_retries_total', d.retries, { model });
      if (d.timeToFirstTokenMs !== undefined) add('gen_ai_server_time_to_first_token_seconds', d.timeToFirstTokenMs / 1000, genai);
      if (d.error) add('steward_llm_errors_total', 1, { model });
      // GenAI conventions record token usage only for calls that returned usage.
      if (!d.error) {
        add('gen_ai_client_token_usage', d.inputTokens, { ...genai, gen_ai_token_type: 'input' });
        add('gen_ai_client_token_usage', d.outputTokens, { ...genai, gen_ai_token_type: 'output' });
      }
      add(
        'gen_ai_client_operation_duration_seconds',
        seconds(d.startMs, d.endMs),
        d.error ? { ...genai, error_type: tokenLabel(d.error, '_OTHER') } : genai,
      );
      break;
    }
    case 'tool.call': {
      const p = ToolCallEventData.safeParse(e.data);
      if (!p.success) break;
      const d = p.data;
      // A tool name the model invented is not a series of its own.
      const tool = d.errorType === 'unknown_tool' ? 'unknown_tool' : tokenLabel(d.name);
      add('steward_tool_calls_total', 1, { tool, status: d.ok ? 'ok' : 'error' });
      add('steward_tool_duration_seconds', seconds(d.startMs, d.endMs), { tool });
      add(d.cacheHit ? 'steward_tool_cache_hits_total' : 'steward_tool_cache_misses_total', 1, { tool });
      if (d.errorType === 'identity_locked') add('steward_identity_verification_locked_total', 1);
      break;
    }
    case 'control.decision': {
      const kind = tokenLabel(e.data.kind);
      add('steward_control_decisions_total', 1, { kind });
      if (kind === 'loop_warning') add('steward_loop_warnings_total', 1, { level: 'warning' });
      if (kind === 'loop_critical') add('steward_loop_warnings_total', 1, { level: 'critical' });
      break;
    }
    case 'audit.denied':
      add('steward_audit_denied_total', 1);
      break;
    case 'handoff.created':
      add('steward_handoffs_total', 1);
      break;
    case 'handoff.sla_breached':
      add('steward_handoff_sla_breaches_total', 1);
      break;
    case 'handoff.updated':
      // Set by the operator action that ends the wait (claim) or the handling (resolve, hand back).
      if (typeof e.data.waitMs === 'number') add('steward_handoff_wait_seconds', e.data.waitMs / 1000);
      if (typeof e.data.handlingMs === 'number') add('steward_handoff_handling_seconds', e.data.handlingMs / 1000);
      break;
    case 'handoff.message':
      break;
    case 'delivery.sent':
      add('steward_deliveries_sent_total', 1);
      break;
    case 'delivery.dead':
      add('steward_deliveries_dead_total', 1);
      break;
    case 'query.started':
      break;
  }
  return obs;
}
