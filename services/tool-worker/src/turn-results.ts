// The results of one turn that a tools job knows: those recorded when it started (DAG_START) and
// those of the calls it runs, so that the job running the turn's last call can decide the turn's
// observe step before recording that result (ADR 0041). What it knows is a belief, not a record:
// the script that records the last result compares each stored result with it (SHA-1) and applies
// the step only when they agree.
import { createHash } from 'node:crypto';
import type { CallResult, StartedTurn } from '@steward/store';

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

export class TurnResults {
  readonly started: StartedTurn;
  /** `json`: the stored JSON when read at the start; a result this job records is serialised only if hashed (shas). */
  private readonly known = new Map<number, { json?: string; result: CallResult }>();

  constructor(started: StartedTurn) {
    this.started = started;
    started.results.forEach((json, i) => {
      if (json) this.known.set(i, { json, result: JSON.parse(json) as CallResult });
    });
  }

  /** A call's result as this job records it (its record script stores JSON.stringify of this very object). */
  know(index: number, result: CallResult): void {
    this.known.set(index, { result });
  }

  /** Every call of the turn but `index` has a known result: `index` is the turn's last. */
  lastIs(index: number): boolean {
    const n = this.started.results.length;
    for (let i = 0; i < n; i++) if (i !== index && !this.known.has(i)) return false;
    return n > 0;
  }

  /** The turn's results by index (every one known: see lastIs). */
  all(): CallResult[] {
    return this.started.results.map((_, i) => this.known.get(i)!.result);
  }

  /** The SHA-1s the record's script compares: each other call's stored result ('' for `index`), and the memory's. */
  shas(index: number): { resultShas: string[]; memorySha: string } {
    return {
      resultShas: this.started.results.map((_, i) => {
        if (i === index) return '';
        const k = this.known.get(i)!;
        return sha1(k.json ?? JSON.stringify(k.result));
      }),
      memorySha: sha1(this.started.memory),
    };
  }
}
