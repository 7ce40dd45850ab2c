// Runs the load's conversations through one agent, all at once, each sending its next message
// when the last is answered (as the in-process baseline does), and counts what it did.
import type { ProgressBar } from '@steward/commerce';
import type { Script } from '../conversations.ts';

/** One customer message to one agent; `queryId` is unique per message (idempotency keys). */
export type Ask = (s: Script, text: string, queryId: string) => Promise<{ answer: string; llmCalls: number }>;

export interface PeerRun {
  queries: number;
  answered: number;
  errors: number;
  llmCalls: number;
  latenciesMs: number[];
  startMs: number;
  endMs: number;
  firstError?: string;
}

export async function runConversations(scripts: Script[], ask: Ask, progress?: ProgressBar): Promise<PeerRun> {
  const r: PeerRun = { queries: 0, answered: 0, errors: 0, llmCalls: 0, latenciesMs: [], startMs: Date.now(), endMs: 0 };
  const total = scripts.reduce((n, s) => n + s.messages.length, 0);
  let seq = 0;
  const converse = async (s: Script): Promise<void> => {
    for (const text of s.messages) {
      const queryId = `p_${seq++}`;
      const t0 = Date.now();
      r.queries++;
      try {
        const { answer, llmCalls } = await ask(s, text, queryId);
        r.llmCalls += llmCalls;
        if (!answer.trim()) throw new Error('empty answer');
        r.answered++;
        r.latenciesMs.push(Date.now() - t0);
      } catch (e) {
        r.errors++;
        r.firstError ??= (e as Error).message;
      }
      progress?.update(r.queries, `${r.queries}/${total} answers`);
    }
  };
  await Promise.all(scripts.map((s) => converse(s)));
  r.endMs = Date.now();
  return r;
}
