import type { Redis } from 'ioredis';
import { ChatMessage, DEFAULTS, ToolJob } from '@steward/core';
import type { CallResult, PlannedCall } from '@steward/control';
import type { Keys } from './keys.ts';
import { DAG_COMPLETE, DAG_COMPLETE_AND_OBSERVE, DAG_COMPLETE_WITH_EVENT, DAG_INIT, DAG_START } from './dag-lua.ts';
import { emitScriptArgs, type EmitInput } from './events.ts';
import { advanceResultOf, parseHistory } from './queries.ts';
import { hashOfReply } from './hash-reply.ts';

// The types of a turn's DAG are the kernel's (packages/control): the transitions plan it, the
// store keeps it.
export type { CallResult, ToolErrorType } from '@steward/control';
/** One call of a turn's DAG as stored (the kernel's PlannedCall). */
export type DagCall = PlannedCall;

/** What recording a result changed: calls left, dependents now free to start, and their jobs. */
/** The BullMQ lock of the job running a call (its key and this run's token): see DAG_SUPERSEDED. */
export interface JobLock {
  key: string;
  token: string;
}

/**
 * `left` of a recording refused because the job running the call was taken over (its lock holds
 * another token): the runner was stopped or cut off past its lock and woke up; the new holder of
 * the job runs the call again and carries the turn on. Nothing was written.
 */
export const DAG_SUPERSEDED = -3;

export interface DagProgress {
  /** Calls of the turn left without a result; -1: no such DAG; DAG_SUPERSEDED: see there. */
  left: number;
  ready: number[];
  jobs: ToolJob[];
  /** What the released calls read before they start, read by the same script (when asked for). */
  loaded?: ReleasedLoad;
  /** No call left (`left === 0`): what the turn's observe step reads, read by the same script (when asked for). */
  turn?: EndedTurn;
  /**
   * Of `ready`, the roots a sibling's job claimed from their own job (see DagStart): that job left
   * them, so a re-enqueue takes another id. Only with `load`, and only when there are any.
   */
  claimedRoots?: number[];
  /** With `observe`, when the record's script applied the step: ADVANCE's outcome. */
  observed?: 'applied' | 'moved' | 'ended';
}

/** A call claimed by the starting job, with what it reads before it runs (see DagStore.start). */
export interface ClaimedCall {
  job: ToolJob;
  /** The results of the call's `dependsOn`, in order. */
  deps: (CallResult | undefined)[];
}

/** What a tools job reads when it starts its call, and which calls it runs (DAG_START). */
export interface DagStart {
  recorded: CallResult | undefined;
  customerId: string | null;
  /** The results of the call's `dependsOn`, in order. */
  deps: (CallResult | undefined)[];
  /** The index of the call whose job runs this call (undefined: nobody claimed it; the turn is gone, or it is recorded). */
  claim: number | undefined;
  /** A sibling's job claimed this call from its own job: that job leaves it (unless it is the claimant). */
  claimedFromJob: boolean;
  /** Claimed now by this job, to run beside its own call. */
  beside: ClaimedCall[];
  /** Claimed earlier by this job (a redelivery) and unfinished: to enqueue; `claimedFromJob` as above. */
  unfinished: { job: ToolJob; claimedFromJob: boolean }[];
  /** Only for a job that claimed its own call now: the turn as its observe step reads it, but the results still to come. */
  turn?: StartedTurn;
}

/**
 * A turn as its observe step reads it, read when the turn's first job started (DAG_START): the
 * job that then runs the turn's last call decides the step before recording it (ADR 0041).
 */
export interface StartedTurn {
  /** Each call's stored result JSON by index ('' when none yet), as the script read it. */
  results: string[];
  proposal: ChatMessage | undefined;
  history: unknown[];
  /** The conversation's working memory as stored ('' when none). */
  memory: string;
}

/**
 * A turn's observe step decided before its last result is recorded, for DAG_COMPLETE_AND_OBSERVE
 * to apply with the record: ADVANCE's KEYS and ARGV, and the SHA-1s of the other calls' results
 * (by index; this call's is not read) and of the working memory the step was decided on.
 */
export interface ObserveInScript {
  keys: string[];
  argv: (string | number)[];
  resultShas: string[];
  memorySha: string;
}

/** A turn whose calls have all ended, as its observe step reads it (one consistent snapshot). */
export interface EndedTurn {
  /** The query's hash as stored ({} when the query is gone). */
  query: Record<string, string>;
  results: (CallResult | undefined)[];
  /**
   * The turn's proposal: the scratchpad's last assistant message with tool calls (undefined:
   * none). The one step observe reads; the others are not parsed (see proposalIn).
   */
  proposal: ChatMessage | undefined;
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
   * A tools job starts call `index`: its reads, and, when no job claimed the call yet, the claim of
   * it and of up to `room` other calls of the turn that could start now and nobody claimed (the
   * turn's other roots), to run beside it (DAG_START). A redelivered claimant gets back what it
   * claimed and did not finish. One script: the reads the job made anyway, so no extra round trip.
   */
  async start(queryId: string, turn: number, index: number, conversationId: string, dependsOn: readonly number[], room: number): Promise<DagStart> {
    const keys = [this.keys.dag(queryId, turn), this.keys.conversation(conversationId), this.keys.querySteps(queryId), this.keys.queryHistory(queryId)];
    const r = (await this.redis.eval(DAG_START, keys.length, ...keys, index, room, ...dependsOn)) as [
      string,
      string,
      string[],
      string,
      number,
      [number, string, string[]][],
      [number, string, number][],
      [string[], string[], string[], string]?,
    ];
    const [recorded, customerId, deps, claim, fromJob, beside, unfinished, started] = r;
    return {
      ...(started ? { turn: { results: started[0], proposal: proposalIn(started[1]), history: parseHistory(started[2]), memory: started[3] } } : {}),
      recorded: parseResult(recorded),
      customerId: customerId === '' ? null : customerId,
      deps: deps.map(parseResult),
      claim: claim === '' ? undefined : Number(claim),
      claimedFromJob: fromJob === 1,
      beside: beside.map(([, job, results]) => ({ job: ToolJob.parse(JSON.parse(job)), deps: results.map(parseResult) })),
      unfinished: unfinished.map(([, job, s]) => ({ job: ToolJob.parse(JSON.parse(job)), claimedFromJob: s === 1 })),
    };
  }

  /**
   * Record call `index`'s result; returns calls left, dependents now free to start and their
   * jobs (read in the same script, so releasing them costs no further round trip). `owner` is
   * the index of the call whose job runs this one (itself unless run in place): the released
   * dependents are claimed by that job, and its repeat finds them (see DAG_COMPLETE). With
   * `load`, the same script returns what the released calls read before they start, and, when
   * no call is left, what the turn's observe step reads (`turn`): the worker that ends a turn
   * takes that step with no read of its own. With `event` (the call's tool.call), the same script
   * writes it after the record, as emitEvent would, unless the runner was superseded (DAG_COMPLETE_WITH_EVENT).
   * With `observe` (and `load` and `event`), the turn's observe step decided by the caller is applied
   * by the same script when this record ends the turn and what it was decided on still stands
   * (DAG_COMPLETE_AND_OBSERVE, ADR 0041): `observed` then says how its ADVANCE went.
   */
  async complete(
    queryId: string,
    turn: number,
    index: number,
    result: CallResult,
    owner = index,
    load?: { conversationId: string; lock?: JobLock },
    event?: EmitInput,
    observe?: ObserveInScript,
  ): Promise<DagProgress> {
    const lock = load?.lock;
    // With the step applied in the same script, the observe step's reads are not made (''): the
    // step was decided on them already, and the script compares what could have changed.
    const observeReads = observe ? ['', ''] : [this.keys.querySteps(queryId), this.keys.queryHistory(queryId)];
    const keys = [
      this.keys.dag(queryId, turn),
      ...(load ? [this.keys.query(queryId), this.keys.conversation(load.conversationId), ...observeReads] : []),
      ...(lock ? [lock.key] : []),
    ];
    const argv = [index, JSON.stringify(result), owner, ...(lock ? [lock.token] : [])];
    const e = event ? emitScriptArgs(this.keys, event) : undefined;
    let observed: DagProgress['observed'];
    let r: unknown[];
    if (observe) {
      // The step's script reads the conversation (`load`) and follows the event's, as the tool-worker sends them.
      if (!e || !load) throw new Error("DagStore.complete: an observe step is applied only with the call's event and its load");
      const reply = (await this.redis.eval(
        DAG_COMPLETE_AND_OBSERVE,
        3 + keys.length + observe.keys.length,
        ...e.keys,
        ...keys,
        ...observe.keys,
        e.argv.length,
        keys.length,
        argv.length,
        observe.memorySha,
        observe.resultShas.length,
        ...observe.resultShas,
        ...e.argv,
        ...argv,
        ...observe.argv,
      )) as [unknown[], unknown];
      r = reply[0];
      if (reply[1] !== null) observed = advanceResultOf(reply[1]);
    } else {
      r = (
        e
          ? await this.redis.eval(DAG_COMPLETE_WITH_EVENT, 3 + keys.length, ...e.keys, ...keys, e.argv.length, ...e.argv, ...argv)
          : await this.redis.eval(DAG_COMPLETE, keys.length, ...keys, ...argv)
      ) as unknown[];
    }
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
      const ended = { query, results: turnResults, proposal: proposalIn(steps), history: parseHistory(history), memory };
      return { left, ready, jobs, loaded: { running: r[1] === 1, customerId, deps: [] }, turn: ended };
    }
    if (observed) return { left, ready, jobs, loaded: { running: r[1] === 1, customerId, deps: [] }, observed };
    const deps: (CallResult | undefined)[][] = [];
    const claimedRoots: number[] = [];
    for (const entry of r.slice(3) as [number, string | null, string[], number][]) {
      const [i, job, results, fromJob] = entry;
      ready.push(Number(i));
      if (typeof job !== 'string') continue;
      jobs.push(ToolJob.parse(JSON.parse(job)));
      deps.push(results.map(parseResult));
      if (fromJob === 1) claimedRoots.push(Number(i));
    }
    return { left, ready, jobs, loaded: { running: r[1] === 1, customerId, deps }, ...(claimedRoots.length ? { claimedRoots } : {}) };
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

/**
 * The last assistant message with tool calls among a query's stored steps, read from the end:
 * only that step is validated (ChatMessage). The observe step that ends a turn reads nothing else
 * of the scratchpad, and validating every step with zod was the tool-worker's largest zod cost
 * (1.6 % of its CPU at saturation, growing with the query's turns; session 9 part T).
 */
export function proposalIn(raw: readonly string[]): ChatMessage | undefined {
  for (let i = raw.length - 1; i >= 0; i--) {
    const s = JSON.parse(raw[i]!) as { role?: unknown; tool_calls?: unknown };
    if (s.role === 'assistant' && Array.isArray(s.tool_calls) && s.tool_calls.length > 0) return ChatMessage.parse(s);
  }
  return undefined;
}

/** A result as a script returns it ('' or nil: none). */
function parseResult(x: string | null | undefined): CallResult | undefined {
  return x ? (JSON.parse(x) as CallResult) : undefined;
}
