// The control plane (controller + tool-worker) on real queues, driven by decide jobs written
// as a model would propose them: no LLM, so DAG timing and fault handling can be measured.
import { jobIds, newQueryId, newConversationId, newTraceId, type ProposedCall, type ToolCallEventData } from '@steward/core';
import { startController, type RunningController } from '@steward/controller';
import { startToolWorker, type RunningToolWorker, type ShopInvoker } from '@steward/tool-worker';
import { createKeys, createQueues, createRedis, QueryStore, readQueryEvents, type QueryRecord, type Queues } from '@steward/store';
import { ToolRegistry, type ToolSpec } from '@steward/tools';
import { createLogger } from '@steward/telemetry';
import type { Redis } from 'ioredis';

export interface ControlPlane {
  redis: Redis;
  queries: QueryStore;
  queues: Queues;
  controller: RunningController;
  toolWorker: RunningToolWorker | undefined;
  /** Run one turn of tool calls; resolves when the turn's observe step is recorded (by the tool-worker, or the controller). */
  runTurn(calls: { name: string; arguments: Record<string, unknown>; error?: string; errorType?: ProposedCall['errorType'] }[], o?: { conversationId?: string; timeoutMs?: number; text?: string; customerId?: string }): Promise<TurnRun>;
  /** Propose tool calls for a later turn of a running query; resolves when it was observed. */
  continueTurn(queryId: string, turn: number, calls: { name: string; arguments: Record<string, unknown> }[]): Promise<TurnRun>;
  /** End a running query with the model's answer (the agent message the customer sees). */
  answer(queryId: string, turn: number, text: string): Promise<void>;
  close(): Promise<void>;
}

export interface TurnRun {
  queryId: string;
  /** When the decide job was enqueued, and when the harness saw the turn's observe step recorded (polled every 2 ms). */
  startedMs: number;
  observedMs: number;
  makespanMs: number;
  events: ToolCallEventData[];
}

const noShop: ShopInvoker = {
  invoke: () => Promise.reject(new Error('no shop in this test')),
};

export async function startControlPlane(o: {
  redisUrl: string;
  prefix: string;
  tools: ToolSpec[];
  withToolWorker?: boolean;
  toolConcurrency?: number;
  requireConfirmation?: boolean;
}): Promise<ControlPlane> {
  const log = createLogger({ service: 'test', level: 'warn' });
  const registry = new ToolRegistry(o.tools);
  const redis = createRedis(o.redisUrl);
  const keys = createKeys(o.prefix);
  const queries = new QueryStore(redis, keys);
  const queues = createQueues(redis, o.prefix);
  const controller = await startController({ redisUrl: o.redisUrl, prefix: o.prefix, registry, log, requireConfirmation: o.requireConfirmation ?? false });
  const toolWorker =
    o.withToolWorker === false
      ? undefined
      : await startToolWorker({
          redisUrl: o.redisUrl,
          prefix: o.prefix,
          registry,
          shop: noShop,
          log,
          concurrency: o.toolConcurrency ?? 32,
          // The tool-worker takes a turn's observe step: the same rules as the controller.
          steps: { requireConfirmation: o.requireConfirmation ?? false },
        });

  async function runTurn(
    calls: { name: string; arguments: Record<string, unknown>; error?: string; errorType?: ProposedCall['errorType'] }[],
    r: { conversationId?: string; timeoutMs?: number; text?: string; customerId?: string } = {},
  ): Promise<TurnRun> {
    const queryId = newQueryId();
    const conversationId = r.conversationId ?? newConversationId();
    // Accepting starts the query; its turn-0 reasoning job goes nowhere here (no reasoning worker):
    // the turns are driven by the decide jobs below.
    await queries.accept({ queryId, conversationId, customerId: r.customerId, channel: 'api', text: r.text ?? 'test', language: 'en', traceId: newTraceId(), createdMs: Date.now() }, 60_000);
    return continueTurn(queryId, 0, calls, r.timeoutMs);
  }

  async function continueTurn(queryId: string, turn: number, calls: { name: string; arguments: Record<string, unknown>; error?: string; errorType?: ProposedCall['errorType'] }[], timeoutMs = 30_000): Promise<TurnRun> {
    const t0 = Date.now();
    await queues.add('control', jobIds.decide(queryId, turn), {
      type: 'decide',
      queryId,
      turn,
      proposal: { kind: 'tool_calls', calls: calls.map((c, i) => ({ id: `call_${turn}_${i}`, name: c.name, arguments: c.arguments, ...(c.error ? { error: c.error } : {}), ...(c.errorType ? { errorType: c.errorType } : {}) })) },
    });
    await until(queryId, (q) => (q.state === 'reasoning' && q.turn === turn + 1) || q.status !== 'running', timeoutMs);
    const observedMs = Date.now();
    const makespanMs = observedMs - t0;
    const events = (await readQueryEvents(redis, keys, queryId))
      .filter((e) => e.type === 'tool.call')
      .map((e) => e.data as ToolCallEventData)
      .filter((e) => e.turn === turn);
    return { queryId, startedMs: t0, observedMs, makespanMs, events: events.sort((a, b) => a.index - b.index) };
  }

  async function answer(queryId: string, turn: number, text: string): Promise<void> {
    await queues.add('control', jobIds.decide(queryId, turn), { type: 'decide', queryId, turn, proposal: { kind: 'answer', answer: text } });
    await until(queryId, (q) => q.status !== 'running', 30_000);
  }

  async function until(queryId: string, done: (q: QueryRecord) => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const q = await queries.get(queryId);
      if (q && done(q)) return;
      if (Date.now() > deadline) throw new Error(`query ${queryId} did not get there: ${JSON.stringify(q)}`);
      await new Promise((res) => setTimeout(res, 2));
    }
  }

  return {
    redis,
    queries,
    queues,
    controller,
    toolWorker,
    runTurn,
    continueTurn,
    answer,
    async close() {
      await toolWorker?.close();
      await controller.close();
      await queues.close();
      redis.disconnect();
    },
  };
}
