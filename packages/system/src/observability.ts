import type { Redis } from 'ioredis';
import type { StewardEvent } from '@steward/core';
import type { Queues } from '@steward/store';

/** The debug trace of a query, from its own events. */
export function debugTraceOf(events: StewardEvent[]): unknown {
  const first = events[0];
  return {
    queryId: first?.queryId,
    traceId: first?.traceId,
    steps: events
      .filter((e) => e.type === 'llm.call' || e.type === 'tool.call' || e.type === 'control.decision')
      .map((e) => ({ kind: e.type === 'llm.call' ? 'llm' : e.type === 'tool.call' ? 'tool' : 'decision', ...e.data })),
    events,
  };
}

export async function renderMetrics(_redis: Redis, _prefix: string, queues: Queues): Promise<string> {
  const lines: string[] = ['# TYPE steward_queue_jobs gauge'];
  for (const name of ['reasoning', 'control', 'tools', 'deliveries', 'handoff'] as const) {
    const c = await queues[name].getJobCounts('waiting', 'active', 'delayed', 'failed');
    for (const [state, n] of Object.entries(c)) lines.push(`steward_queue_jobs{queue="${name}",state="${state}"} ${n}`);
  }
  return lines.join('\n') + '\n';
}
