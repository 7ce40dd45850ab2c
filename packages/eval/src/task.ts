// A task in τ-bench's task format (the contract of `../shared/taubench/tasks_train.json`):
// who the customer is, what they want, the gold tool calls and the values the agent must say.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const GoldAction = z.object({ name: z.string(), kwargs: z.record(z.string(), z.unknown()) });
export type GoldAction = z.infer<typeof GoldAction>;

export const EvalTask = z.object({
  user_id: z.string(),
  instruction: z.string(),
  actions: z.array(GoldAction),
  outputs: z.array(z.string()).default([]),
  annotator: z.union([z.string(), z.number()]).optional(),
});
export type EvalTask = z.infer<typeof EvalTask>;

/** A task with its position in the file, so reports name tasks the way the file orders them. */
export interface IndexedTask {
  index: number;
  task: EvalTask;
}

export interface TaskSelection {
  /** At most this many tasks, from the start of the file (after `only`). */
  limit?: number;
  /** Only these indexes of the file. */
  only?: readonly number[];
}

/** Reads and validates a task file; a malformed task is a hard error naming its index (not retryable). */
export function loadTasks(path: string, sel: TaskSelection = {}): IndexedTask[] {
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(raw)) throw new Error(`${path}: a task file is a JSON array of tasks`);
  const wanted = sel.only ? new Set(sel.only) : null;
  const out: IndexedTask[] = [];
  raw.forEach((t, index) => {
    if (wanted && !wanted.has(index)) return;
    const parsed = EvalTask.safeParse(t);
    if (!parsed.success)
      throw new Error(
        `${path}: task ${index} is not in τ-bench's task format: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    out.push({ index, task: parsed.data });
  });
  return sel.limit === undefined ? out : out.slice(0, sel.limit);
}
