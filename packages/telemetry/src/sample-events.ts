// The events of one realistic query, for tests of spans, metrics and the debug trace. It carries
// personal data on purpose (email, card, address, phone) so tests can prove none leaks.
import { newSpanId, newTraceId, stableSpanId, type StewardEvent } from '@steward/core';

export const PII = {
  email: 'noah.brown7921@example.com',
  card: '4111 1111 1111 1111',
  cardDigits: '4111111111111111',
  lastFour: '7251',
  phone: '+1 (415) 555-0134',
  street: '445 Maple Drive',
  zip: '76165',
} as const;

export interface SampleQuery {
  queryId: string;
  conversationId: string;
  traceId: string;
  rootSpanId: string;
  parentSpanId: string;
  events: StewardEvent[];
}

/** Turn 0: LLM → find user by email (ok) + order details (error); turn 1: LLM answers. */
export function sampleQuery(opts: { queryId?: string; t0?: number; outcome?: string; reason?: string } = {}): SampleQuery {
  const queryId = opts.queryId ?? `q_${newSpanId()}`;
  const conversationId = `c_${queryId.slice(2)}`;
  const traceId = newTraceId();
  const rootSpanId = stableSpanId(queryId, 'root');
  const parentSpanId = newSpanId();
  const t0 = opts.t0 ?? 1_760_000_000_000;
  const base = { queryId, conversationId, traceId };
  let n = 0;
  const ev = (type: StewardEvent['type'], ts: number, data: Record<string, unknown>): StewardEvent => ({
    id: `${queryId}:e${n++}`,
    type,
    ts,
    ...base,
    data,
  });
  const events: StewardEvent[] = [
    ev('query.accepted', t0, { channel: 'web', language: 'en', customerId: 'cust_1' }),
    ev('query.started', t0 + 5, {}),
    ev('llm.call', t0 + 400, {
      turn: 0,
      spanId: stableSpanId(queryId, 't0', 'llm'),
      model: 'sim-llm-1',
      provider: 'openai',
      startMs: t0 + 10,
      endMs: t0 + 400,
      inputTokens: 812,
      outputTokens: 64,
      cachedInputTokens: 256,
      costUsd: 0.0012,
      retries: 1,
      finishReason: 'tool_calls',
      maxTokens: 500,
      temperature: 0,
      thought: `The customer ${PII.email} wants the order status; look the user up first.`,
      proposal: `find_user_id_by_email({"email":"${PII.email}"})`,
    }),
    ev('tool.call', t0 + 480, {
      turn: 0,
      index: 0,
      callId: 'call_1',
      spanId: stableSpanId(queryId, 't0', 'c0'),
      name: 'find_user_id_by_email',
      startMs: t0 + 410,
      endMs: t0 + 480,
      cacheHit: false,
      ok: true,
      arguments: { email: PII.email },
      result: `{"user_id":"noah_brown_6181","address1":"${PII.street}","zip":"${PII.zip}","phone":"${PII.phone}","last_four":"${PII.lastFour}"}`,
    }),
    ev('tool.call', t0 + 470, {
      turn: 0,
      index: 1,
      callId: 'call_2',
      spanId: stableSpanId(queryId, 't0', 'c1'),
      name: 'get_order_details',
      startMs: t0 + 410,
      endMs: t0 + 470,
      cacheHit: true,
      ok: false,
      errorType: 'not_found',
      arguments: { order_id: '#W2378156' },
      result: `order not found; card ${PII.card} on file`,
    }),
    ev('control.decision', t0 + 490, { kind: 'loop_warning', detail: `same call repeated for ${PII.email}`, turn: 0 }),
    ev('llm.call', t0 + 900, {
      turn: 1,
      spanId: stableSpanId(queryId, 't1', 'llm'),
      model: 'sim-llm-1',
      provider: 'openai',
      startMs: t0 + 500,
      endMs: t0 + 900,
      inputTokens: 1024,
      outputTokens: 80,
      costUsd: 0.0015,
      finishReason: 'stop',
      thought: 'I can answer now.',
      proposal: 'Final Answer: your order ships tomorrow.',
    }),
    ev('query.completed', t0 + 910, {
      outcome: opts.outcome ?? 'answered',
      reason: opts.reason ?? 'answered',
      rootSpanId,
      parentSpanId,
      startMs: t0,
      endMs: t0 + 910,
      turns: 2,
      toolCalls: 2,
      inputTokens: 1836,
      outputTokens: 144,
      costUsd: 0.0027,
      language: 'en',
      answer: `Your order ships tomorrow to ${PII.street}.`,
    }),
  ];
  return { queryId, conversationId, traceId, rootSpanId, parentSpanId, events };
}

/**
 * What the tool worker records when get_user_details reveals the customer's name (Yusuf Rossi,
 * user yusuf_rossi_9620) in a query's first turn: the event that teaches a conversation a name
 * (known-names.ts), for tests of its redaction later on.
 */
export function nameRevealingToolCall(queryId: string, conversationId: string) {
  return {
    id: `${queryId}:t0:c0:tool`,
    type: 'tool.call' as const,
    queryId,
    conversationId,
    ts: Date.now(),
    data: {
      turn: 0,
      index: 0,
      callId: 'c0',
      spanId: '0123456789abcdef',
      name: 'get_user_details',
      startMs: 1,
      endMs: 2,
      cacheHit: false,
      ok: true,
      arguments: { user_id: 'yusuf_rossi_9620' },
      result: JSON.stringify({ user_id: 'yusuf_rossi_9620', name: { first_name: 'Yusuf', last_name: 'Rossi' } }),
    },
  };
}
