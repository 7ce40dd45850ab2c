import { fingerprint } from '@steward/core';

/** One entry of a query's loop-detection history (stored in `{prefix}:q:{id}:hist`). */
export type HistoryEntry =
  | { kind: 'tool'; turn: number; name: string; argsFp: string; resultFp: string; unknownTool: boolean; result: string }
  | { kind: 'answer'; turn: number; answerFp: string };

export function toolEntry(turn: number, name: string, args: Record<string, unknown>, result: string): HistoryEntry {
  return {
    kind: 'tool',
    turn,
    name,
    argsFp: fingerprint(args),
    resultFp: fingerprint(result),
    unknownTool: result.startsWith('Unknown tool') || result.startsWith('Error: Unknown tool'),
    // A short head of the result is kept for the nudge ("you already called X and got …").
    result: result.slice(0, 200),
  };
}
