import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTasks } from './task.ts';
import { HAS_TAUBENCH, TASKS_TRAIN } from './testing/taubench-dir.ts';

describe('loadTasks', () => {
  it.skipIf(!HAS_TAUBENCH)(
    'reads the 500 train tasks of τ-bench retail, with limit and a chosen subset',
    () => {
      expect(loadTasks(TASKS_TRAIN)).toHaveLength(500);
      const first = loadTasks(TASKS_TRAIN, { limit: 3 });
      expect(first.map((t) => t.index)).toEqual([0, 1, 2]);
      expect(first[0]!.task.user_id).toBe('omar_anderson_3203');
      expect(loadTasks(TASKS_TRAIN, { only: [7, 42] }).map((t) => t.index)).toEqual([7, 42]);
    },
  );

  it('names the task that is not in the format', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-tasks-'));
    const path = join(dir, 'tasks.json');
    writeFileSync(
      path,
      JSON.stringify([
        { user_id: 'a', instruction: 'x', actions: [], outputs: [] },
        { user_id: 'b', actions: [] },
      ]),
    );
    expect(() => loadTasks(path)).toThrow(/task 1 .*instruction/);
    writeFileSync(path, '{}');
    expect(() => loadTasks(path)).toThrow(/JSON array/);
  });
});
