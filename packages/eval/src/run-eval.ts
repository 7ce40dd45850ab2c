// `steward eval`: every task through the WHOLE running pipeline (real ingress HTTP, BullMQ
// queues, reasoning-worker, controller, tool-worker, shop). One pipeline per concurrency slot,
// each with its own shop and Redis prefix, runs one task at a time: the shop is reset to its
// loaded data and the tool-result cache emptied before each task, so tasks never see each other.
import { Redis } from 'ioredis';
import { startSystem, type RunningSystem } from '@steward/system';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { envCustomer, type ChatEndpoint } from './env-customer.ts';
import { EvalIngressClient } from './ingress-client.ts';
import { openReferenceShop, stateHash } from './reference-state.ts';
import { planScript } from './script-plan.ts';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.ts';
import { startScriptedModel, type ScriptedModel } from './scripted-model.ts';
import { asksForConfirmation, openingMessage, scriptedReply } from './scripted-customer.ts';
import { readShopData, type ShopData } from './shop-data.ts';
import type { IndexedTask } from './task.ts';
import { SCRIPTED_MODEL_LABEL, summarize, type EvalSummary, type TaskReport } from './task-report.ts';
import { isPresent, promptText } from './value-presence.ts';

export interface EvalOptions {
  tasks: readonly IndexedTask[];
  /** τ-bench layout directory the shop loads (users.json, orders.json, products.json). */
  dataDir: string;
  model: 'scripted' | 'env';
  /** Agent and simulated-customer endpoints for `model: 'env'`. */
  env?: { agent: ChatEndpoint; customer: ChatEndpoint };
  promptMode?: 'budgeted' | 'naive';
  concurrency?: number;
  /** Runs of every task (pass^k). */
  trials?: number;
  redisUrl: string;
  /** Customer messages per task at most (env mode; the scripted customer stops by itself). */
  maxCustomerTurns?: number;
  queryTimeoutMs?: number;
  /** The pipeline's confirmation policy; off only to prove the evaluation catches unconfirmed writes. */
  requireConfirmation?: boolean;
  onTaskDone?: (report: TaskReport, done: number, total: number) => void;
}

const KEY = 'steward-eval';

interface Slot {
  id: string;
  sys: RunningSystem;
  api: EvalIngressClient;
  redis: Redis;
  prefix: string;
}

export async function runEval(o: EvalOptions): Promise<{ reports: TaskReport[]; summary: EvalSummary }> {
  const started = Date.now();
  const promptMode = o.promptMode ?? 'budgeted';
  const trials = o.trials ?? 1;
  const data = readShopData(o.dataDir);
  // Reference hashes first, on one in-memory shop: the gold actions never touch the live shops.
  const reference = openReferenceShop(o.dataDir);
  const expected = new Map<number, string>();
  try {
    for (const t of o.tasks) expected.set(t.index, (await reference.expected(t.task)).hash);
  } finally {
    reference.close();
  }
  const model = o.model === 'scripted' ? await startScriptedModel() : null;
  // A real model is measured the same way, through a recording pass-through proxy.
  const proxy = model ? null : await startRecordingProxy(envOf(o).agent);
  const units = o.tasks.flatMap((t) => Array.from({ length: trials }, (_, trial) => ({ t, trial })));
  const slots: Slot[] = [];
  const reports: TaskReport[] = [];
  try {
    const n = Math.max(1, Math.min(o.concurrency ?? 1, units.length));
    for (let i = 0; i < n; i++) slots.push(await startSlot(`s${i}`, o, promptMode, model, proxy));
    let next = 0;
    await Promise.all(
      slots.map(async (_, i) => {
        for (let u = next++; u < units.length; u = next++) {
          const { t, trial } = units[u]!;
          const r = await runTask(slots[i]!, t, trial, o, data, model, proxy, expected.get(t.index)!);
          reports.push(r);
          o.onTaskDone?.(r, reports.length, units.length);
          // A task that broke off (a query past its timeout) may still have work in flight that
          // would call the model on behalf of the next task: that slot's pipeline is replaced.
          if (r.error) {
            await closeSlot(slots[i]!, o.redisUrl);
            slots[i] = await startSlot(`s${i}r${u}`, o, promptMode, model, proxy);
          }
        }
      }),
    );
  } finally {
    for (const s of slots) await closeSlot(s, o.redisUrl);
    await model?.close();
    await proxy?.close();
  }
  reports.sort((a, b) => a.index - b.index || a.trial - b.trial);
  const label =
    o.model === 'scripted'
      ? SCRIPTED_MODEL_LABEL
      : `env: ${o.env?.agent.model ?? '?'} (customer simulated by ${o.env?.customer.model ?? '?'})`;
  return {
    reports,
    summary: summarize(reports, { model: label, promptMode, trials, durationMs: Date.now() - started }),
  };
}

async function startSlot(
  id: string,
  o: EvalOptions,
  promptMode: 'budgeted' | 'naive',
  model: ScriptedModel | null,
  proxy: RecordingProxy | null,
): Promise<Slot> {
  const prefix = uniquePrefix(`eval-${id}`);
  const sys = await startSystem({
    redisUrl: o.redisUrl,
    prefix,
    shopData: o.dataDir,
    apiKeys: KEY,
    promptMode,
    tracer: false,
    deliveries: false,
    // The evaluation drives many conversations of few customers in seconds: admission is not under test.
    admit: false,
    // The scripted model answers whole replies (it measures prompts, not streaming).
    stream: false,
    logLevel: 'error',
    ...(model
      ? { llmBaseUrl: model.baseUrlFor(id), llmModel: 'steward-eval-scripted' }
      : // The proxy holds the real key; the pipeline's client only reaches the proxy.
        { llmBaseUrl: proxy!.baseUrlFor(id), llmApiKey: 'eval-proxy', llmModel: envOf(o).agent.model }),
    ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
    // Generous: the machine may be shared, and this measures answers, not latency.
    limits: { deadlineMs: 120_000 },
    ...(o.requireConfirmation === undefined ? {} : { requireConfirmation: o.requireConfirmation }),
  });
  return {
    id,
    sys,
    api: new EvalIngressClient(sys.url, KEY),
    redis: new Redis(o.redisUrl, { maxRetriesPerRequest: 3 }),
    prefix,
  };
}

async function closeSlot(s: Slot, redisUrl: string): Promise<void> {
  await s.sys.close();
  await s.redis.quit();
  await deletePrefix(redisUrl, s.prefix);
}

async function resetSlot(s: Slot): Promise<void> {
  const res = await fetch(`${s.sys.shopUrl}/v1/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`shop reset answered ${res.status} (retryable)`);
  // The tool-result cache would serve reads of the data before the reset.
  for (const pattern of [`${s.prefix}:cache:*`, `${s.prefix}:ctag:*`]) {
    let cursor = '0';
    do {
      const [c, keys] = await s.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = c;
      if (keys.length > 0) await s.redis.unlink(...keys);
    } while (cursor !== '0');
  }
}

async function shopHash(s: Slot): Promise<string> {
  const res = await fetch(`${s.sys.shopUrl}/v1/export`);
  if (!res.ok) throw new Error(`shop export answered ${res.status} (retryable)`);
  return stateHash(await res.text());
}

const AFFIRMATIVE = /^\s*(yes|yeah|yep|sure|ok|okay|confirm(ed)?|go ahead|please do|correct|proceed)\b/i;

function envOf(o: EvalOptions): NonNullable<EvalOptions['env']> {
  if (!o.env) throw new Error('--model env needs OPENAI_BASE_URL and LLM_MODEL (not retryable)');
  return o.env;
}

async function runTask(
  s: Slot,
  { index, task }: IndexedTask,
  trial: number,
  o: EvalOptions,
  data: ShopData,
  model: ScriptedModel | null,
  proxy: RecordingProxy | null,
  expectedHash: string,
): Promise<TaskReport> {
  const r: TaskReport = {
    index,
    trial,
    userId: task.user_id,
    endStateMatch: false,
    queries: 0,
    outcomes: [],
    contextMissing: [],
    toolNotOffered: [],
    writesWithoutConfirmation: 0,
    outputs: { expected: task.outputs, mentioned: [] },
    promptTokensPerCall: [],
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    offScript: 0,
  };
  const answers: string[] = [];
  let began = false;
  try {
    await resetSlot(s);
    if (model) model.begin(s.id, planScript(task, data));
    else proxy!.begin(s.id);
    began = true;
    const customer = model ? null : envCustomer(task.instruction, envOf(o).customer);
    const conversationId = `eval-${index}-${trial}-${Date.now().toString(36)}`;
    let message: string | null = model ? openingMessage(task.instruction) : await customer!.next(null);
    let lastAnswer: string | null = null;
    for (let turn = 0; message !== null && turn < (o.maxCustomerTurns ?? 12); turn++) {
      const before = await shopHash(s);
      (model ?? proxy)!.nextQuery(s.id);
      const q = await s.api.ask(conversationId, message, o.queryTimeoutMs ?? 180_000);
      const after = await shopHash(s);
      // A change to the shop's data is confirmed only by a yes to an answer that listed an action.
      if (
        before !== after &&
        !(lastAnswer !== null && asksForConfirmation(lastAnswer) && AFFIRMATIVE.test(message))
      )
        r.writesWithoutConfirmation++;
      r.queries++;
      r.outcomes.push(q.outcome ?? q.status);
      r.inputTokens += q.tokens.input;
      r.outputTokens += q.tokens.output;
      r.costUsd += q.costUsd;
      r.promptTokensPerCall.push(...(await s.api.llmCallTokens(q.queryId)));
      lastAnswer = q.answer;
      if (q.answer) answers.push(q.answer);
      if (q.outcome === 'handoff' || q.status === 'failed') break;
      message = model ? scriptedReply(q.answer) : await customer!.next(q.answer ?? '');
    }
    r.endStateMatch = (await shopHash(s)) === expectedHash;
  } catch (e) {
    r.error = (e as Error).message;
  } finally {
    if (began) {
      const rec = (model ?? proxy)!.finish(s.id);
      r.offScript = rec.offScript;
      r.contextMissing = rec.actions.flatMap((a) =>
        a.missing.map((m) => ({ ...m, tool: a.tool, query: a.query })),
      );
      r.toolNotOffered = rec.actions.filter((a) => !a.offered).map((a) => ({ tool: a.tool, query: a.query }));
    }
  }
  const said = promptText(answers.map((content) => ({ content })));
  r.outputs.mentioned = task.outputs.filter((v) => isPresent(v, said));
  return r;
}
