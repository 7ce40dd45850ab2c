import { Worker } from 'bullmq';
import { DEFAULTS, isStewardError, type JobLockSettings, type Proposal, type RetentionSettings } from '@steward/core';
import { warmUpTokenizer, type PromptBudget } from '@steward/context';
import { openStore, startWorker, type Log } from '@steward/store';
import { redactsLogs } from '@steward/telemetry';
import { stepDeps, type StepRules } from '@steward/steps';
import type { ToolRegistry } from '@steward/tools';
import type { ReasoningDeps } from './deps.ts';
import type { LlmPort } from './llm-port.ts';
import { processTurn } from './process-turn.ts';
import { reasoningBudget } from './turn-input.ts';

export interface ReasoningWorkerOptions {
  redisUrl: string;
  prefix: string;
  registry: ToolRegistry;
  llm: LlmPort;
  parseText: (content: string) => Proposal;
  log: Log;
  concurrency?: number;
  jobLocks?: JobLockSettings;
  retention?: RetentionSettings;
  promptMode?: 'budgeted' | 'naive';
  /** 'json': one JSON object per reply (JSON mode), for models that manage neither of the others. */
  toolStyle?: 'native' | 'text' | 'json';
  /** Stream LLM calls a live client may be watching and publish the answer's tokens as they come (web chat, SSE). Default false. */
  stream?: boolean;
  toolSelection?: 'relevant' | 'all';
  budget?: PromptBudget;
  outputTokens?: number;
  temperature?: number;
  /**
   * Fleet-wide LLM requests per minute (0 = unlimited). One job is one LLM call, so BullMQ's
   * queue limiter, which is shared by every worker of the queue, enforces it exactly.
   */
  rpm?: number;
  /** Alternative limiter (e.g. a Redis GCRA per provider key); returns ms to wait, 0 = go. */
  acquireSlot?: () => Promise<number>;
  /**
   * The step rules (limits, confirmation policy, budgets, transcript): the turn's decision is
   * taken here, so this must be the controller's section of the configuration (`cfg.controller`).
   */
  steps?: StepRules;
}

export interface RunningReasoningWorker {
  deps: ReasoningDeps;
  worker: Worker;
  close(): Promise<void>;
}

/** Marks an error as a provider rate limit whose wait applies to the whole fleet. */
function rateLimitWait(e: unknown): number | undefined {
  if (isStewardError(e) && e.kind === 'rate_limited') return e.retryAfterMs ?? 1000;
  return undefined;
}

export async function startReasoningWorker(o: ReasoningWorkerOptions): Promise<RunningReasoningWorker> {
  const store = openStore(o.redisUrl, o.prefix, o.retention);
  const { redis } = store;
  const { budget, outputTokens } = reasoningBudget(o);
  const deps: ReasoningDeps = {
    ...store,
    registry: o.registry,
    llm: o.llm,
    parseText: o.parseText,
    promptMode: o.promptMode ?? 'budgeted',
    toolStyle: o.toolStyle ?? 'native',
    stream: o.stream ?? false,
    toolSelection: o.toolSelection ?? 'relevant',
    budget,
    outputTokens,
    temperature: o.temperature ?? 0,
    log: o.log,
    readNames: redactsLogs(o.log),
    steps: stepDeps(store, o.registry, o.log, o.steps),
  };
  warmUpTokenizer(o.llm.model);
  // eslint-disable-next-line prefer-const
  let worker: Worker;
  const processor = async (
    data: Parameters<typeof processTurn>[1],
    job: Parameters<typeof processTurn>[2],
  ) => {
    if (o.acquireSlot) {
      const wait = await o.acquireSlot();
      if (wait > 0) {
        // Over the fleet-wide requests-per-minute limit: pause this queue for every worker.
        await worker.rateLimit(wait);
        throw Worker.RateLimitError();
      }
    }
    try {
      await processTurn(deps, data, job);
    } catch (e) {
      const wait = rateLimitWait(e);
      if (wait !== undefined) {
        // The provider said 429: BullMQ's manual rate limit pauses the queue for every worker.
        o.log.warn({ queryId: data.queryId, waitMs: wait }, 'LLM rate limited: pausing the reasoning queue');
        await worker.rateLimit(wait);
        throw Worker.RateLimitError();
      }
      throw e;
    }
  };
  worker = startWorker('reasoning', processor, {
    connection: redis,
    prefix: o.prefix,
    log: o.log,
    // The names come with the turn's load (processTurn), not in a prelude trip before it.
    namesInHandler: true,
    concurrency: o.concurrency ?? DEFAULTS.concurrency.reasoning,
    ...(o.jobLocks ? { jobLocks: o.jobLocks } : {}),
    worker: { limiter: o.rpm ? { max: o.rpm, duration: 60_000 } : { max: 1_000_000, duration: 1000 } },
  });
  await worker.waitUntilReady();
  return {
    deps,
    worker,
    async close() {
      await worker.close();
      await store.close();
    },
  };
}
