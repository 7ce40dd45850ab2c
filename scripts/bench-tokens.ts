// `pnpm bench:tokens`: tokens per query with naive full-history prompts vs steward's budgeted
// hierarchical context, over a deterministic corpus of multi-turn conversations built from the
// shop's data, run through the real pipeline with sim-llm (a test double) — twice, once per mode,
// each on a fresh shop and a fresh Redis prefix. Prints a JSON report as its last line.
import { parseArgs } from 'node:util';
import { DEFAULTS } from '@steward/core';
import { costOf } from '@steward/llm';
import { startSystem } from '@steward/system';
import { freePort, RedisServer, uniquePrefix } from '@steward/testing';
import { IngressClient } from '../test/helpers/client.ts';
import { buildCorpus, type Conversation, type ShopExport } from './lib/token-corpus.ts';

const { values } = parseArgs({
  options: {
    conversations: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '20' },
    data: { type: 'string' },
  },
});
const N = Number(values.conversations);
const CONCURRENCY = Number(values.concurrency);
const MODELS = ['gpt-4.1-mini', 'gpt-4o', 'deepseek-chat', 'claude-sonnet-4', 'gemini-2.5-flash'];

interface ModeResult {
  queries: number;
  inputTokens: number;
  outputTokens: number;
  success: number;
  failures: string[];
}

async function runMode(mode: 'naive' | 'budgeted', redisUrl: string, corpus: Conversation[] | null): Promise<{ r: ModeResult; corpus: Conversation[] }> {
  const sys = await startSystem({
    redisUrl,
    prefix: uniquePrefix(`tok-${mode}`),
    apiKeys: 'bench',
    // Many questions of one customer in a few seconds: the per-customer bucket would refuse them
    // (admission has its own tests in test/channels and test/security).
    admit: false,
    promptMode: mode,
    tracer: false,
    logLevel: 'error',
    ...(values.data ? { shopData: values.data } : {}),
    ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
    // Generous deadline: the machine is shared and this measures tokens, not latency.
    limits: { deadlineMs: 120_000 },
  });
  try {
    const convs = corpus ?? buildCorpus((await (await fetch(`${sys.shopUrl}/v1/export`)).json()) as ShopExport, N);
    const api = new IngressClient(sys.url, 'bench');
    const r: ModeResult = { queries: 0, inputTokens: 0, outputTokens: 0, success: 0, failures: [] };
    let next = 0;
    let done = 0;
    const total = convs.reduce((a, c) => a + c.turns.length, 0);
    const worker = async () => {
      for (let i = next++; i < convs.length; i = next++) {
        const c = convs[i]!;
        for (const t of c.turns) {
          const q = await api.ask({ conversationId: c.id, customerId: c.customerId, text: t.text }, 180_000);
          const { json } = await api.get<{ tokens: { input: number; output: number } }>(`/v1/queries/${q.queryId}`);
          r.queries++;
          r.inputTokens += json.tokens.input;
          r.outputTokens += json.tokens.output;
          const ok = t.expect.some((e) => (q.answer ?? '').toLowerCase().includes(e.toLowerCase()));
          if (ok) r.success++;
          else if (r.failures.length < 20) r.failures.push(`${c.id} «${t.text}» expected ${JSON.stringify(t.expect)} got «${(q.answer ?? '').slice(0, 160)}»`);
          done++;
          if (done % 20 === 0 || done === total) process.stderr.write(`\r[bench:tokens] ${mode}: ${done}/${total} queries`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    process.stderr.write('\n');
    return { r, corpus: convs };
  } finally {
    await sys.close();
  }
}

const redis = await RedisServer.start();
try {
  const budgeted = await runMode('budgeted', redis.url, null);
  const naive = await runMode('naive', redis.url, budgeted.corpus);
  const per = (m: ModeResult) => (m.inputTokens + m.outputTokens) / m.queries;
  const nb = per(naive.r);
  const bb = per(budgeted.r);
  for (const [mode, m] of [['naive', naive.r], ['budgeted', budgeted.r]] as const) {
    if (m.failures.length) process.stderr.write(`[bench:tokens] ${mode} misses (first ${m.failures.length}):\n  ${m.failures.join('\n  ')}\n`);
  }
  const cost = (m: ModeResult, model: string) =>
    Math.round((costOf(model, { inputTokens: m.inputTokens / m.queries, outputTokens: m.outputTokens / m.queries, cachedInputTokens: 0 }) ?? 0) * 1e6) / 1e6;
  const report = {
    conversations: budgeted.corpus.length,
    customer_turns_per_conversation: budgeted.corpus[0]?.turns.length ?? 0,
    queries_per_mode: budgeted.r.queries,
    model_window_tokens: DEFAULTS.maxContextTokens,
    naive_tokens_per_query: Math.round(nb),
    budgeted_tokens_per_query: Math.round(bb),
    reduction: Math.round((1 - bb / nb) * 1000) / 1000,
    naive_success: Math.round((naive.r.success / naive.r.queries) * 1000) / 1000,
    budgeted_success: Math.round((budgeted.r.success / budgeted.r.queries) * 1000) / 1000,
    cost_per_query_usd: Object.fromEntries(MODELS.map((m) => [m, { naive: cost(naive.r, m), budgeted: cost(budgeted.r, m) }])),
  };
  process.stdout.write(JSON.stringify(report) + '\n');
} finally {
  await redis.stop();
}
