import type { Redis } from 'ioredis';
import { DEFAULTS, ToolJob, type ChatMessage } from '@steward/core';
import type { CallResult, PlannedCall } from '@steward/control';
import type { Keys } from './keys.ts';
import { DAG_COMPLETE, DAG_INIT } from './lua.ts';
import { parseHistory, parseSteps } from './queries.ts';
import { hashOfReply } from './hash-reply.ts';

// The types of a turn's DAG are the kernel's (packages/control): the transitions plan it, the
// store keeps it.
export type { CallResult, ToolErrorType } from '@steward/control';
/** One call of a turn's DAG as stored (the kernel's PlannedCall). */
export type DagCall = PlannedCall;

/** What recording a result changed: calls left, dependents now free to start, and their jobs. */
export interface DagProgress {
  left: number;
  ready: number[];
  jobs: ToolJob[];
  /** What the released calls read before they start, read by the same script (when asked for). */
  loaded?: ReleasedLoad;
  /** No call left (`left === 0`): what the turn's observe step reads, read by the same script (when asked for). */
  turn?: EndedTurn;
}

/** A turn whose calls have all ended, as its observe step reads it (one consistent snapshot). */
export interface EndedTurn {
  /** The query's hash as stored ({} when the query is gone). */
  query: Record<string, string>;
  results: (CallResult | undefined)[];
  steps: ChatMessage[];
  history: unknown[];
  /** The conversation's working memory as stored ('' when none). */
  memory: string;
}

/** The query still running, the conversation's customer, and per released job its dependencies' results. */
export interface ReleasedLoad {
  running: boolean;
  customerId: string | null;
  /** By position in `jobs`: the results of that job's `dependsOn`, in order. */
  deps: (CallResult | undefined)[][];
}

/** Atomic bookkeeping of a turn's tool DAG (see lua.ts). */
export class DagStore {
  private readonly redis: Redis;
  private readonly keys: Keys;

  constructor(redis: Redis, keys: Keys) {
    this.redis = redis;
    this.keys = keys;
  }

  async init(queryId: string, turn: number, calls: DagCall[]): Promise<boolean> {
    const payload = calls.map((c) => ({
      pending: c.pending,
      dependents: c.dependents,
      ...(c.job ? { job: JSON.stringify(c.job) } : {}),
      ...(c.result ? { result: JSON.stringify(c.result) } : {}),
    }));
    const r = await this.redis.eval(DAG_INIT, 1, this.keys.dag(queryId, turn), JSON.stringify(payload), DEFAULTS.queryTtlSec);
    return r === 1;
  }

  /**
   * Record call `index`'s result; returns calls left, dependents now free to start and their
   * jobs (read in the same script, so releasing them costs no further round trip). `owner` is
   * the index of the call whose job runs this one (itself unless run in place): the released
   * dependents are claimed by that job, and its repeat finds them (see DAG_COMPLETE). With
   * `load`, the same script returns what the released calls read before they start, and, when
   * no call is left, what the turn's observe step reads (`turn`): the worker that ends a turn
   * takes that step with no read of its own.
   */
  async complete(queryId: string, turn: number, index: number, result: CallResult, owner = index, load?: { conversationId: string }): Promise<DagProgress> {
    const keys = [
      this.keys.dag(queryId, turn),
      ...(load ? [this.keys.query(queryId), this.keys.conversation(load.conversationId), this.keys.querySteps(queryId), this.keys.queryHistory(queryId)] : []),
    ];
    const r = (await this.redis.eval(DAG_COMPLETE, keys.length, ...keys, index, JSON.stringify(result), owner)) as unknown[];
    const ready: number[] = [];
    const jobs: ToolJob[] = [];
    const left = typeof r[0] === 'number' ? r[0] : -1;
    if (!load || left < 0) {
      for (let k = 1; k + 1 < r.length; k += 2) {
        ready.push(Number(r[k]));
        const job = r[k + 1];
        if (typeof job === 'string') jobs.push(ToolJob.parse(JSON.parse(job)));
      }
      return { left, ready, jobs };
    }
    const customerId = typeof r[2] === 'string' && r[2] !== '' ? r[2] : null;
    if (left === 0 && Array.isArray(r[3])) {
      const [flat, results, steps, history, memory] = r[3] as [string[], string[], string[], string[], string];
      const query = hashOfReply(flat);
      const turnResults = results.map((x) => (x ? (JSON.parse(x) as CallResult) : undefined));
      const ended = { query, results: turnResults, steps: parseSteps(steps), history: parseHistory(history), memory };
      return { left, ready, jobs, loaded: { running: r[1] === 1, customerId, deps: [] }, turn: ended };
    }
    const deps: (CallResult | undefined)[][] = [];
    for (const entry of r.slice(3) as [number, string | null, string[]][]) {
      const [i, job, results] = entry;
      ready.push(Number(i));
      if (typeof job !== 'string') continue;
      jobs.push(ToolJob.parse(JSON.parse(job)));
      deps.push(results.map((x) => (x ? (JSON.parse(x) as CallResult) : undefined)));
    }
    return { left, ready, jobs, loaded: { running: r[1] === 1, customerId, deps } };
  }

  /** Calls with no pending dependency and no result yet (to (re)start after a crash). */
  async ready(queryId: string, turn: number): Promise<number[]> {
    const h = await this.redis.hgetall(this.keys.dag(queryId, turn));
    const n = Number(h.n ?? 0);
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (Number(h[`p:${i}`]) <= 0 && h[`r:${i}`] === undefined) out.push(i);
    return out;
  }

  async results(queryId: string, turn: number): Promise<{ n: number; left: number; results: (CallResult | undefined)[] }> {
    const h = await this.redis.hgetall(this.keys.dag(queryId, turn));
    const n = Number(h.n ?? 0);
    const results: (CallResult | undefined)[] = [];
    for (let i = 0; i < n; i++) {
      const r = h[`r:${i}`];
      results.push(r === undefined ? undefined : (JSON.parse(r) as CallResult));
    }
    return { n, left: Number(h.left ?? -1), results };
  }

  async job(queryId: string, turn: number, index: number): Promise<ToolJob | undefined> {
    const r = await this.redis.hget(this.keys.dag(queryId, turn), `c:${index}`);
    return r === null ? undefined : ToolJob.parse(JSON.parse(r));
  }

  async result(queryId: string, turn: number, index: number): Promise<CallResult | undefined> {
    const r = await this.redis.hget(this.keys.dag(queryId, turn), `r:${index}`);
    return r === null ? undefined : (JSON.parse(r) as CallResult);
  }
}
