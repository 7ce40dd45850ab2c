// The readable export of a transcript: what a quality reviewer reads, one line per event.
import type { Transcript } from './transcript.ts';

const SENDER: Record<string, string> = { customer: 'Customer', operator: 'Operator', note: 'Note', system: 'Steward' };
const clip = (s: string, max = 600): string => (s.length > max ? `${s.slice(0, max)}…` : s);

export function transcriptText(t: Transcript): string {
  const out: string[] = [
    `Conversation ${t.conversationId}`,
    `Customer: ${t.customerId ?? '(not verified)'} · channel: ${t.channel ?? '-'} · language: ${t.language ?? '-'}`,
    `From ${t.startedAt} to ${t.lastAt}${t.orders.length ? ` · orders: ${t.orders.join(', ')}` : ''}`,
    '',
  ];
  for (const q of t.queries) {
    out.push(`── query ${q.queryId} · ${q.createdAt}`);
    out.push(`Customer: ${q.message ?? '(message not archived)'}`);
    for (const s of q.steps) {
      const turn = s.turn === null ? '' : `[t${s.turn}] `;
      if (s.kind === 'llm') {
        if (s.thought) out.push(`  ${turn}Thought: ${clip(s.thought)}`);
        out.push(`  ${turn}Model ${s.name ?? ''}: ${clip(s.result ?? '')}${s.error ? ` ! ${s.error}` : ''}${s.tokens ? ` (${s.tokens.input}+${s.tokens.output} tokens)` : ''}`);
      } else if (s.kind === 'tool') {
        out.push(`  ${turn}Action: ${s.name}(${JSON.stringify(s.arguments ?? {})})${s.latencyMs === null ? '' : ` ${s.latencyMs} ms`}`);
        out.push(`  ${turn}Observation${s.ok === false ? ` (error${s.error ? `: ${s.error}` : ''})` : ''}: ${clip(s.result ?? '')}`);
      } else {
        out.push(`  ${turn}${s.kind}${s.name ? ` ${s.name}` : ''}: ${clip(s.result ?? s.error ?? '')}`);
      }
    }
    for (const w of q.writes) out.push(`  Write: ${w.tool} key=${w.idempotencyKey} ${w.ok === false ? 'failed' : 'ok'}`);
    out.push(`Agent: ${q.answer ?? '(no answer)'}`);
    const cost = q.costUsd === null ? '' : ` · $${q.costUsd.toFixed(6)}`;
    out.push(`   outcome: ${q.outcome ?? 'open'}${q.reason ? ` (${q.reason})` : ''} · turns: ${q.turns ?? '-'} · tokens: ${q.tokens.input ?? 0}+${q.tokens.output ?? 0}${cost}`);
    // The handoff this query started (its id is the query's): what the person and the customer said.
    const h = (t.handoffs ?? []).find((x) => x.handoffId === q.queryId);
    if (h) {
      out.push(`── handoff ${h.handoffId} · ${h.reason ?? '-'} · ${h.state}${h.claimedBy ? ` · ${h.claimedBy}` : ''} · closed ${h.closedAt ?? '-'}`);
      for (const m of h.messages) out.push(`  ${SENDER[m.from] ?? m.from}${m.operator ? ` (${m.operator})` : ''}: ${m.content}`);
    }
    out.push('');
  }
  return out.join('\n');
}
