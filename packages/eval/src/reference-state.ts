// The reference outcome of a task: its gold actions applied to a fresh load of the shop through
// the same tool layer the tool-worker uses (zod schema, then the engine's authorization and
// semantics), as the task's customer. Compared by a hash of the shop's exported data.
import { createHash } from 'node:crypto';
import { createReplaySession, ShopEngine } from '@steward/commerce';
import type { EvalTask } from './task.ts';

/** sha256 of the shop's export (users, orders, products as stored): equal texts, equal states. */
export function stateHash(exportJson: string): string {
  return createHash('sha256').update(exportJson).digest('hex');
}

export interface ReferenceShop {
  /** Hash of the data right after loading. */
  readonly initialHash: string;
  /** Hash of the data after the task's gold actions, from the loaded data; results of each action. */
  expected(task: EvalTask): Promise<{ hash: string; results: string[] }>;
  close(): void;
}

export function openReferenceShop(dataDir: string): ReferenceShop {
  const engine = new ShopEngine();
  engine.loadDir(dataDir);
  const session = createReplaySession(engine);
  const initialHash = stateHash(engine.exportJson());
  return {
    initialHash,
    async expected(task) {
      engine.reset();
      const results: string[] = [];
      for (const [i, a] of task.actions.entries()) {
        const out = JSON.parse(
          await session.handle(
            JSON.stringify({
              op: 'call',
              as: task.user_id,
              name: a.name,
              arguments: a.kwargs,
              key: `gold:${i}`,
            }),
          ),
        ) as {
          result?: string;
          error?: string;
        };
        results.push(out.result ?? `Error: ${out.error ?? 'no result'}`);
      }
      const hash = stateHash(engine.exportJson());
      engine.reset();
      return { hash, results };
    },
    close() {
      engine.close();
    },
  };
}
