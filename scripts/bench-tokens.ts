// `pnpm bench:tokens`: tokens per query with naive full-history prompts vs steward's budgeted
// hierarchical context, measured two ways, each run through the real pipeline once per mode:
//  1. the evaluation (`steward eval --model scripted`) on τ-bench's train tasks: a model double
//     that knows only its prompt, so the budgeted figure comes with what the prompt lacked
//     (context_missing, tool_not_offered) and whether every end state still matches;
//  2. the ten-turn bilingual conversations built from the shop's data, with sim-llm behind a
//     recording proxy: a turn succeeds only when its answer states the fact and every id that
//     answer and the turn's tool calls rest on was in the prompt the model received
//     (scripts/lib/turn-check.ts), not because sim-llm knows the shop. Reports the prompt's
//     tiers, the tool definitions' tokens, the share of each prompt that repeats the previous
//     call's prefix, and the cost per query without and with cached-input prices.
// Prints a JSON report as its last line. `--suite taubench|conversations` runs one of them.
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '@steward/core';
import { loadTasks, runEval, type TaskReport } from '@steward/eval';
import { costOf } from '@steward/llm';
import { startSimLlm } from '@steward/sim-llm';
import { createKeys, createRedis, readQueryEvents } from '@steward/store';
import { startSystem } from '@steward/system';
import { freePort, RedisServer, uniquePrefix } from '@steward/testing';
import { IngressClient } from '../test/helpers/client.ts';
import { startPromptRecorder } from './lib/prompt-recorder.ts';
import { buildCorpus, type Conversation, type ShopExport } from './lib/token-corpus.ts';
import { checkTurn } from './lib/turn-check.ts';

const { values } = parseArgs({
  options: {
    conversations: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '20' },
    data: { type: 'string' },
    suite: { type: 'string', default: 'all' },
    tasks: { type: 'string', default: '../shared/taubench/tasks_train.json' },
    limit: { type: 'string' },
    'eval-concurrency': { type: 'string', default: '4' },
    /** Write every recorded prompt of the budgeted conversations to this file (diagnosis). */
    'dump-prompts': { type: 'string' },
  },
});
const SUITE = values.suite;
const N = Number(values.conversations);
const CONCURRENCY = Number(values.concurrency);
const MODELS = ['gpt-4.1-mini', 'gpt-4o', 'deepseek-chat', 'claude-sonnet-4', 'gemini-2.5-flash'];

interface ModeResult {
  queries: number;
  inputTokens: number;
  outputTokens: number;
  success: number;
  failures: string[];
  /** Over the mode's LLM calls (llm.call events). */
  calls: number;
  /** Input tokens that repeat the previous call's prefix (prefixReuse × the call's input). */
  reusedInputTokens: number;
  toolTokens: number;
  tiers: Record<string, number>;
}

/** The llm.call events of a query: tiers, prefix reuse and tool-definition tokens per call. */
function addCalls(r: ModeResult, events: Awaited<ReturnType<typeof readQueryEvents>>): void {
  for (const e of events) {
    if (e.type !== 'llm.call') continue;
    const d = e.data as { inputTokens?: number; prefixReuse?: number; toolTokens?: number; promptTiers?: Record<string, number> };
    r.calls++;
    r.reusedInputTokens += Math.round((d.prefixReuse ?? 0) * (d.inputTokens ?? 0));
    r.toolTokens += d.toolTokens ?? 0;
    for (const [k, v] of Object.entries(d.promptTiers ?? {})) r.tiers[k] = (r.tiers[k] ?? 0) + v;
  }
}

async function runMode(mode: 'naive' | 'budgeted', redisUrl: string, corpus: Conversation[] | null): Promise<{ r: ModeResult; corpus: Conversation[] }> {
  const sim = await startSimLlm({ port: 0 });
  // The verified customer's id in the system prompt says which conversation a prompt belongs to.
  const recorder = await startPromptRecorder(`${sim.url}/v1`, (prompt) => /^Verified customer: (\S+)$/m.exec(prompt)?.[1]);
  const prefix = uniquePrefix(`tok-${mode}`);
  const redis = createRedis(redisUrl);
  const keys = createKeys(prefix);
  const sys = await startSystem({
    llmBaseUrl: recorder.baseUrl,
    redisUrl,
    prefix,
    apiKeys: 'bench',
    // Many questions of one customer in a few seconds: the per-customer bucket would refuse them
    // (admission has its own tests in test/channels and test/security).
    admit: false,
    promptMode: mode,
    tracer: false,
    logLevel: 'error',
    ...(values.data ? { shopData: values.data } : {}),
    ports: { ingress: await freePort(), shop: await freePort() },
    // Generous deadline: the machine is shared and this measures tokens, not latency.
    limits: { deadlineMs: 120_000 },
  });
  try {
    const convs = corpus ?? buildCorpus((await (await fetch(`${sys.shopUrl}/v1/export`)).json()) as ShopExport, N);
    const api = new IngressClient(sys.url, 'bench');
    const r: ModeResult = { queries: 0, inputTokens: 0, outputTokens: 0, success: 0, failures: [], calls: 0, reusedInputTokens: 0, toolTokens: 0, tiers: {} };
    let next = 0;
    let done = 0;
    const total = convs.reduce((a, c) => a + c.turns.length, 0);
    const worker = async () => {
      for (let i = next++; i < convs.length; i = next++) {
        const c = convs[i]!;
        for (const t of c.turns) {
          const before = recorder.calls(c.customerId).length;
          const q = await api.ask({ conversationId: c.id, customerId: c.customerId, text: t.text }, 180_000);
          const { json } = await api.get<{ tokens: { input: number; output: number } }>(`/v1/queries/${q.queryId}`);
          r.queries++;
          r.inputTokens += json.tokens.input;
          r.outputTokens += json.tokens.output;
          addCalls(r, await readQueryEvents(redis, keys, q.queryId));
          // Judged on the prompts the model received, not on sim-llm's knowledge of the shop.
          const verdict = checkTurn(t, q.answer ?? '', recorder.calls(c.customerId).slice(before));
          if (verdict.ok) r.success++;
          else if (r.failures.length < 20) r.failures.push(`${c.id} «${t.text}»: ${verdict.problems.join('; ')} — answer «${(q.answer ?? '').slice(0, 160)}»`);
          done++;
          if (done % 20 === 0 || done === total) process.stderr.write(`\r[bench:tokens] ${mode}: ${done}/${total} queries`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    process.stderr.write('\n');
    if (values['dump-prompts'] && mode === 'budgeted') {
      const dump = convs.map((c) => ({ conversation: c.id, calls: recorder.calls(c.customerId) }));
      writeFileSync(values['dump-prompts'], JSON.stringify(dump, null, 1));
    }
    return { r, corpus: convs };
  } finally {
    await sys.close();
    await recorder.close();
    await sim.close();
    redis.disconnect();
  }
}

async function conversationsSuite(redisUrl: string) {
  const budgeted = await runMode('budgeted', redisUrl, null);
  const naive = await runMode('naive', redisUrl, budgeted.corpus);
  const per = (m: ModeResult) => (m.inputTokens + m.outputTokens) / m.queries;
  const nb = per(naive.r);
  const bb = per(budgeted.r);
  for (const [mode, m] of [['naive', naive.r], ['budgeted', budgeted.r]] as const) {
    if (m.failures.length) process.stderr.write(`[bench:tokens] ${mode} misses (first ${m.failures.length}):\n  ${m.failures.join('\n  ')}\n`);
  }
  // Without prompt caching, and with the reused prefix billed at the model's cached-input price
  // (an upper bound: providers cache only prefixes above a minimum, 1,024 tokens at OpenAI).
  const cost = (m: ModeResult, model: string, cached: boolean) =>
    Math.round(
      costOf(model, { inputTokens: m.inputTokens / m.queries, outputTokens: m.outputTokens / m.queries, cachedInputTokens: cached ? m.reusedInputTokens / m.queries : 0 }) * 1e6,
    ) / 1e6;
  const perCall = (m: ModeResult, n: number) => Math.round(n / Math.max(1, m.calls));
  const report = {
    conversations: budgeted.corpus.length,
    customer_turns_per_conversation: budgeted.corpus[0]?.turns.length ?? 0,
    queries_per_mode: budgeted.r.queries,
    model_window_tokens: DEFAULTS.maxContextTokens,
    naive_tokens_per_query: Math.round(nb),
    budgeted_tokens_per_query: Math.round(bb),
    reduction: Math.round((1 - bb / nb) * 1000) / 1000,
    // A turn succeeds when its answer states the fact AND every id that answer and the turn's
    // tool calls rest on was in the prompt the model received (scripts/lib/turn-check.ts).
    naive_success: Math.round((naive.r.success / naive.r.queries) * 1000) / 1000,
    budgeted_success: Math.round((budgeted.r.success / budgeted.r.queries) * 1000) / 1000,
    llm_calls_per_query: { naive: Math.round((naive.r.calls / naive.r.queries) * 100) / 100, budgeted: Math.round((budgeted.r.calls / budgeted.r.queries) * 100) / 100 },
    // Mean per budgeted LLM call: the prompt's tiers (tool definitions counted in pinned) and the tool definitions alone.
    budgeted_prompt_tiers_per_call: Object.fromEntries(Object.entries(budgeted.r.tiers).map(([k, v]) => [k, perCall(budgeted.r, v)])),
    tool_definition_tokens_per_call: { naive: perCall(naive.r, naive.r.toolTokens), budgeted: perCall(budgeted.r, budgeted.r.toolTokens) },
    // Share of the input tokens that repeat the previous call's prefix (what a provider's prompt cache can serve).
    prefix_reuse_share: {
      naive: Math.round((naive.r.reusedInputTokens / Math.max(1, naive.r.inputTokens)) * 1000) / 1000,
      budgeted: Math.round((budgeted.r.reusedInputTokens / Math.max(1, budgeted.r.inputTokens)) * 1000) / 1000,
    },
    cost_per_query_usd: Object.fromEntries(
      MODELS.map((m) => [m, { naive: cost(naive.r, m, false), budgeted: cost(budgeted.r, m, false), naive_cached: cost(naive.r, m, true), budgeted_cached: cost(budgeted.r, m, true) }]),
    ),
  };
  return report;
}

/** The evaluation's τ-bench tasks with the scripted model, naive then budgeted. */
async function taubenchSuite(redisUrl: string) {
  const path = resolve(values.tasks);
  const dataDir = resolve(path, '..');
  const tasks = loadTasks(path, values.limit ? { limit: Number(values.limit) } : {});
  const run = async (promptMode: 'naive' | 'budgeted') => {
    let last = 0;
    const out = await runEval({
      tasks, dataDir, model: 'scripted', promptMode, redisUrl, concurrency: Number(values['eval-concurrency']),
      onTaskDone(_r, done, total) {
        if (done - last >= 10 || done === total) process.stderr.write(`\r[bench:tokens] τ-bench ${promptMode}: ${(last = done)}/${total} tasks`);
      },
    });
    process.stderr.write('\n');
    return out;
  };
  const naive = await run('naive');
  const budgeted = await run('budgeted');
  const perQuery = (rs: TaskReport[]) => rs.reduce((a, r) => a + r.inputTokens + r.outputTokens, 0) / Math.max(1, rs.reduce((a, r) => a + r.queries, 0));
  const cost = (rs: TaskReport[], model: string) => {
    const q = Math.max(1, rs.reduce((a, r) => a + r.queries, 0));
    const usage = { inputTokens: rs.reduce((a, r) => a + r.inputTokens, 0) / q, outputTokens: rs.reduce((a, r) => a + r.outputTokens, 0) / q };
    return Math.round(costOf(model, usage) * 1e6) / 1e6;
  };
  const nb = perQuery(naive.reports);
  const bb = perQuery(budgeted.reports);
  const side = (s: typeof naive.summary) => ({
    end_state_match: s.endStateMatch,
    context_missing_values: s.contextMissing?.values ?? null,
    context_missing_tasks: s.contextMissing?.tasks ?? null,
    context_missing_by_cause: s.contextMissing?.byCause ?? null,
    tool_not_offered: s.toolNotOffered?.actions ?? null,
    tool_not_offered_tasks: s.toolNotOffered?.tasks ?? null,
    writes_without_confirmation: s.writesWithoutConfirmation,
    prompt_tokens_per_call_mean: s.promptTokens.perCallMean,
    prompt_tokens_per_call_max: s.promptTokens.perCallMax,
  });
  return {
    model: 'scripted (test double replaying the gold actions, prompt-only)',
    tasks: tasks.length,
    queries_per_mode: budgeted.summary.queries,
    naive_tokens_per_query: Math.round(nb),
    budgeted_tokens_per_query: Math.round(bb),
    reduction: Math.round((1 - bb / nb) * 1000) / 1000,
    naive: side(naive.summary),
    budgeted: side(budgeted.summary),
    cost_per_query_usd: Object.fromEntries(MODELS.map((m) => [m, { naive: cost(naive.reports, m), budgeted: cost(budgeted.reports, m) }])),
  };
}

const redis = await RedisServer.start();
try {
  const hasTasks = existsSync(resolve(values.tasks));
  if (SUITE === 'taubench' && !hasTasks) throw new Error(`no task file at ${values.tasks} (give --tasks)`);
  const taubench = (SUITE === 'all' && hasTasks) || SUITE === 'taubench' ? await taubenchSuite(redis.url) : null;
  const conversations = SUITE === 'all' || SUITE === 'conversations' ? await conversationsSuite(redis.url) : null;
  process.stdout.write(JSON.stringify({ ...(taubench ? { taubench } : {}), ...(conversations ? { conversations } : {}) }) + '\n');
} finally {
  await redis.stop();
}
