import { describe, expect, it } from 'vitest';
import { openReferenceShop } from './reference-state.ts';
import { loadTasks } from './task.ts';
import { HAS_TAUBENCH, TAUBENCH_DIR, TASKS_TRAIN } from './testing/taubench-dir.ts';

describe.skipIf(!HAS_TAUBENCH)('reference end state', () => {
  it('applies the gold actions through the tool layer: a changed, repeatable hash, and a fresh load each time', async () => {
    const ref = openReferenceShop(TAUBENCH_DIR);
    try {
      const [a, b] = loadTasks(TASKS_TRAIN, { limit: 2 });
      const ea = await ref.expected(a!.task);
      // Task 0 returns two items of a delivered order: the order JSON comes back, not an error.
      expect(ea.results[0]).toMatch(/"status": "return requested"/);
      expect(ea.hash).not.toBe(ref.initialHash);
      expect((await ref.expected(a!.task)).hash).toBe(ea.hash);
      const eb = await ref.expected(b!.task);
      expect(eb.hash).not.toBe(ea.hash);
      // Gold actions on another customer's order are refused by the same authorization as live calls.
      const foreign = await ref.expected({ ...a!.task, user_id: b!.task.user_id });
      expect(foreign.results[0]).toMatch(/^Error: /);
      expect(foreign.hash).toBe(ref.initialHash);
    } finally {
      ref.close();
    }
  });
});
