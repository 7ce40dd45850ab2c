import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadTasks, runEval, type EvalSummary, type TaskReport } from '@steward/eval';
import { HAS_TAUBENCH, TAUBENCH_DIR } from '../helpers/shared-data.ts';

// The CI-sized evaluation: the first 50 τ-bench train tasks through the whole running pipeline
// with the scripted model (a test double replaying the gold actions). End states and
// confirmations are asserted, and every value an action needs was in the prompt the model got,
// with every tool it needed offered (context_missing = tool_not_offered = 0).
const redisUrl = inject('redisUrl');
const TASKS = `${TAUBENCH_DIR}/tasks_train.json`;
const CI_TASKS = Number(process.env.EVAL_CI_TASKS ?? 50);

describe.skipIf(!HAS_TAUBENCH)('steward eval --model scripted', () => {
  let budgeted: { reports: TaskReport[]; summary: EvalSummary };
  beforeAll(async () => {
    budgeted = await runEval({
      tasks: loadTasks(TASKS, { limit: CI_TASKS }),
      dataDir: TAUBENCH_DIR,
      model: 'scripted',
      promptMode: 'budgeted',
      concurrency: 4,
      redisUrl,
    });
    process.stderr.write(`[eval ${CI_TASKS} budgeted] ${JSON.stringify(budgeted.summary)}\n`);
  }, 900_000);

  it('reaches the reference end state on every task, never writes without a yes, and says it is a test double', () => {
    const s = budgeted.summary;
    expect(s.errors).toEqual([]);
    expect(s.tasks).toBe(CI_TASKS);
    expect(s.endStateMismatch).toEqual([]);
    expect(s.endStateMatch).toBe(CI_TASKS);
    expect(s.writesWithoutConfirmation).toBe(0);
    expect(s.outputs.mentioned).toBe(s.outputs.expected);
    expect(s.model).toMatch(/TEST DOUBLE, not AI/);
    // Every task ran as a conversation: the write was listed, the customer said yes, a new query confirmed it.
    for (const r of budgeted.reports) expect(r.queries).toBeGreaterThanOrEqual(2);
    expect(s.llmCalls).toBe(budgeted.reports.reduce((a, r) => a + r.promptTokensPerCall.length, 0));
    expect(s.promptTokens.perCallMean).toBeGreaterThan(0);
    expect(s.promptTokens.perCallMax).toBeGreaterThanOrEqual(s.promptTokens.perCallMean);
  });

  // Before the working memory and the tool offering of issue 11 (measured on these 50 tasks):
  // context_missing 142 values in 44 tasks (all earlier_query), tool_not_offered 27 actions in 25.
  it('finds every value each action needs in its prompt, and every needed tool offered (budgeted mode)', () => {
    const s = budgeted.summary;
    const missing = budgeted.reports.flatMap((r) => (r.contextMissing ?? []).map((m) => `task ${r.index}: ${m.tool}.${m.arg}=${String(m.value)} (${m.cause})`));
    expect(missing).toEqual([]);
    expect(s.contextMissing).toMatchObject({ values: 0, tasks: 0 });
    expect(s.toolNotOffered).toMatchObject({ actions: 0, tasks: 0 });
  });

  it('finds nothing missing when every prompt carries the whole conversation and every tool (naive mode)', async () => {
    const naive = await runEval({
      tasks: loadTasks(TASKS, { limit: 4 }),
      dataDir: TAUBENCH_DIR,
      model: 'scripted',
      promptMode: 'naive',
      concurrency: 2,
      redisUrl,
    });
    expect(naive.summary.endStateMatch).toBe(4);
    expect(naive.summary.contextMissing).toMatchObject({ values: 0, tasks: 0 });
    expect(naive.summary.toolNotOffered).toMatchObject({ actions: 0 });
    // The same tasks cost more prompt tokens per call when nothing is budgeted.
    const same = budgeted.reports.filter((r) => r.index < 4).flatMap((r) => r.promptTokensPerCall);
    const mean = same.reduce((a, x) => a + x, 0) / same.length;
    expect(naive.summary.promptTokens.perCallMean).toBeGreaterThan(mean);
  }, 600_000);

  it('reports a task that broke off and goes on with a fresh pipeline', async () => {
    // 1 ms is shorter than any query: every task breaks off, and each one is still reported.
    const broken = await runEval({
      tasks: loadTasks(TASKS, { limit: 2 }),
      dataDir: TAUBENCH_DIR,
      model: 'scripted',
      concurrency: 1,
      redisUrl,
      queryTimeoutMs: 1,
    });
    expect(broken.summary.errors.map((e) => e.index)).toEqual([0, 1]);
    expect(broken.summary.errors[0]!.error).toMatch(/did not end within 1 ms/);
    expect(broken.summary.endStateMatch).toBe(0);
  }, 600_000);

  it('catches writes executed without confirmation when the policy is off', async () => {
    const off = await runEval({
      tasks: loadTasks(TASKS, { limit: 2 }),
      dataDir: TAUBENCH_DIR,
      model: 'scripted',
      concurrency: 1,
      redisUrl,
      requireConfirmation: false,
    });
    // The first, unconfirmed call of each write now executes: one per task.
    expect(off.reports.map((r) => r.writesWithoutConfirmation)).toEqual([1, 1]);
    expect(off.summary.writesWithoutConfirmation).toBe(2);
  }, 600_000);
});
