import type { LoopTurn } from '../loop-types.ts';
import type { CallResult } from './call-result.ts';

/** Results are kept to this length in the loop history: enough to compare and to quote in a nudge. */
const KEEP_CHARS = 2_000;

/** One turn of a query's loop-detection history (stored in `{prefix}:q:{id}:hist`). */
export function loopTurn(results: readonly CallResult[], args: readonly Record<string, unknown>[]): LoopTurn {
  const unknownTools: string[] = [];
  const calls = results.map((r, i) => {
    if (r.errorType === 'unknown_tool') unknownTools.push(r.name);
    return {
      name: r.name,
      args: args[i] ?? {},
      result: r.result.slice(0, KEEP_CHARS),
      ...(r.ok ? {} : { error: r.result.slice(0, 200) }),
    };
  });
  return { calls, ...(unknownTools.length ? { unknownTools } : {}) };
}
