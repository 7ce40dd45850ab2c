// What one task's run produced, and the figures of a whole run built from those.
import { costOf } from '@steward/llm';
import type { MissingValue } from './scripted-model.ts';

export interface TaskReport {
  index: number;
  trial: number;
  userId: string;
  endStateMatch: boolean;
  queries: number;
  /** Outcome of each query (answered | fallback | handoff | failed…). */
  outcomes: string[];
  /** Values an action used that were not in its prompt (the scripted double, or the real model through the recording proxy). */
  contextMissing: (MissingValue & { tool: string; query: number })[] | null;
  /** Actions whose tool was not offered in that request. */
  toolNotOffered: { tool: string; query: number }[] | null;
  /** Queries during which the shop's data changed without the customer's yes to a listed action. */
  writesWithoutConfirmation: number;
  outputs: { expected: string[]; mentioned: string[] };
  promptTokensPerCall: number[];
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Model requests answered after the script had ended. */
  offScript: number;
  error?: string;
}

export const SCRIPTED_MODEL_LABEL =
  "scripted: a TEST DOUBLE, not AI — it replays each task's gold actions (plus the reads an agent needs) and records whether every value it uses was in its prompt";

/** Reference models for a cost estimate of the same prompts (the scripted double itself is free). */
export const COST_REFERENCE_MODELS = [
  'gpt-4.1-mini',
  'gpt-4o',
  'deepseek-chat',
  'claude-sonnet-4',
  'gemini-2.5-flash',
];

const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;

export function summarize(
  reports: readonly TaskReport[],
  meta: { model: string; promptMode: string; trials: number; durationMs: number },
) {
  const n = reports.length;
  const calls = reports.flatMap((r) => r.promptTokensPerCall);
  const measured = reports.filter((r) => r.contextMissing !== null);
  const missing = measured.flatMap((r) => r.contextMissing ?? []);
  const notOffered = measured.flatMap((r) => r.toolNotOffered ?? []);
  const countBy = <T>(xs: readonly T[], key: (x: T) => string): Record<string, number> =>
    xs.reduce<Record<string, number>>((a, x) => ((a[key(x)] = (a[key(x)] ?? 0) + 1), a), {});
  const byTask = new Map<number, boolean>();
  for (const r of reports) byTask.set(r.index, (byTask.get(r.index) ?? true) && r.endStateMatch);
  const queries = reports.reduce((a, r) => a + r.queries, 0);
  const input = reports.reduce((a, r) => a + r.inputTokens, 0);
  const output = reports.reduce((a, r) => a + r.outputTokens, 0);
  const estimate = Object.fromEntries(
    COST_REFERENCE_MODELS.map((m) => [
      m,
      round(costOf(m, { inputTokens: input, outputTokens: output }) / Math.max(1, n), 6),
    ]),
  );
  return {
    model: meta.model,
    promptMode: meta.promptMode,
    tasks: n,
    trials: meta.trials,
    endStateMatch: reports.filter((r) => r.endStateMatch).length,
    endStateMismatch: reports.filter((r) => !r.endStateMatch).map((r) => r.index),
    /** τ-bench's pass^k: the share of tasks whose every trial reached the reference end state. */
    passHatK: round([...byTask.values()].filter(Boolean).length / Math.max(1, byTask.size)),
    contextMissing:
      measured.length === 0
        ? null
        : {
            tasks: measured.filter((r) => (r.contextMissing ?? []).length > 0).length,
            values: missing.length,
            byCause: countBy(missing, (m) => m.cause),
            byTool: countBy(missing, (m) => m.tool),
          },
    toolNotOffered:
      measured.length === 0
        ? null
        : {
            tasks: measured.filter((r) => (r.toolNotOffered ?? []).length > 0).length,
            actions: notOffered.length,
            byTool: countBy(notOffered, (m) => m.tool),
          },
    writesWithoutConfirmation: reports.reduce((a, r) => a + r.writesWithoutConfirmation, 0),
    outputs: {
      expected: reports.reduce((a, r) => a + r.outputs.expected.length, 0),
      mentioned: reports.reduce((a, r) => a + r.outputs.mentioned.length, 0),
    },
    queries,
    llmCalls: calls.length,
    promptTokens: {
      perCallMean: Math.round(calls.reduce((a, x) => a + x, 0) / Math.max(1, calls.length)),
      perCallMax: calls.reduce((a, x) => Math.max(a, x), 0),
      perQueryMean: Math.round(input / Math.max(1, queries)),
    },
    costUsd: round(
      reports.reduce((a, r) => a + r.costUsd, 0),
      6,
    ),
    costPerTaskEstimateUsd: estimate,
    offScriptRequests: reports.reduce((a, r) => a + r.offScript, 0),
    errors: reports.filter((r) => r.error).map((r) => ({ index: r.index, error: r.error })),
    durationMs: meta.durationMs,
  };
}
export type EvalSummary = ReturnType<typeof summarize>;
