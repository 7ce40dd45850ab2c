import { canonicalJson, DEFAULTS, fingerprint, LOOP_THRESHOLDS } from '@steward/core';
import { isVolatileKey, stripVolatile } from './strip-volatile.ts';
import { buildNudge } from './loop-nudge.ts';
import type { LoopCall, LoopFinding, LoopOptions, LoopThresholds, LoopTurn, LoopVerdict } from './loop-types.ts';

// Loop detection over the history of one query. The findings concern the LATEST turn (call it
// each time a turn's proposal or observations are recorded): a loop the model already left
// is not reported again. Every detector is a plain function of the history, so the
// controller's decision can be replayed from the stored trace.
//
// Pending calls (no result yet) count for the tool budget only: "no progress" needs a result.

interface Ended {
  turn: number;
  name: string;
  call: LoopCall;
  /** Taken on demand (fingerprintsOf): most calls never need theirs (see Calls). */
  fp?: Fingerprints;
}

interface Fingerprints {
  outcome: string; // fingerprint of name + args + result/error
  result: string; // fingerprint of name + result/error (ping-pong ignores arguments)
}

/**
 * Both fingerprints hash the call's name with the rest, so calls of different tools never share
 * one: only calls of the same tool need theirs. The exception is a `name` the caller declared
 * volatile (stripped before hashing): then every call is in one group. Most turns of a query
 * call tools it has not called yet, and detection then hashes nothing.
 */
class Calls {
  readonly ended: Ended[] = [];
  private readonly volatile: ReadonlySet<string>;
  private readonly namesVolatile: boolean;
  constructor(volatile: ReadonlySet<string>) {
    this.volatile = volatile;
    this.namesVolatile = isVolatileKey('name', volatile);
  }
  group(e: Ended): string {
    return this.namesVolatile ? '' : e.name;
  }
  fps(e: Ended): Fingerprints {
    return (e.fp ??= fingerprintsOf(e.call, this.volatile));
  }
  sameResult(a: Ended, b: Ended): boolean {
    return this.group(a) === this.group(b) && this.fps(a).result === this.fps(b).result;
  }
}

export function detectLoop(history: readonly LoopTurn[], opts: LoopOptions = {}): LoopVerdict {
  const t: LoopThresholds = { ...LOOP_THRESHOLDS, ...opts.thresholds };
  const volatile = new Set(opts.volatileKeys ?? []);
  const last = history.length - 1;
  const latest = history[last];
  if (!latest) return { level: 'none', findings: [] };

  const ended = new Calls(volatile);
  for (const [turn, h] of history.entries()) {
    for (const c of h.calls ?? []) {
      if (c.result === undefined && c.error === undefined) continue;
      ended.ended.push({ turn, name: c.name, call: c });
    }
  }

  const findings: LoopFinding[] = [
    ...noProgress(ended, last, t),
    ...sameTool(history, t),
    ...pingPong(ended, last, t),
    ...unknownTools(history, latest, t),
    ...repeatedAnswer(history, latest, t),
    ...toolBudget(history, opts),
  ];
  const level = findings.some((f) => f.level === 'critical') ? 'critical' : findings.length > 0 ? 'warning' : 'none';
  if (level !== 'warning') return { level, findings };
  return { level, findings, nudge: buildNudge(history, findings) };
}

// Every observe re-runs detection over the whole history, so without memory each ended call is
// stripped, serialised and hashed again at every later turn (the tool-worker's top cost in the
// profile). The fingerprints are a pure function of the call's content and the volatile keys, so
// they are remembered by that content: detection stays a plain function of the history.
// Bounded in entries and in key length (a huge result is simply fingerprinted each time).
const FINGERPRINT_CACHE_MAX = 2_000;
const FINGERPRINT_KEY_MAX_CHARS = 16_384;
const fingerprintCache = new Map<string, Fingerprints>();

function fingerprintsOf(c: LoopCall, volatile: ReadonlySet<string>): Fingerprints {
  // Calls come from JSON (the stored history), so JSON.stringify tells equal contents apart; every
  // part but the last is JSON-escaped, so the NUL separators cannot be forged by a value, and a
  // string result and the same text as a value are different keys ('s' / 'j').
  const outcomeKey = c.error !== undefined ? `e${c.error}` : typeof c.result === 'string' ? `s${c.result}` : `j${JSON.stringify(c.result)}`;
  const key = `${volatile.size > 0 ? JSON.stringify([...volatile]) : ''}\u0000${JSON.stringify(c.name)}\u0000${JSON.stringify(c.args)}\u0000${outcomeKey}`;
  const cacheable = key.length <= FINGERPRINT_KEY_MAX_CHARS;
  const hit = cacheable ? fingerprintCache.get(key) : undefined;
  if (hit) return hit;
  const outcome = c.error !== undefined ? { error: c.error } : { result: c.result };
  // Stripping works key by key, so the call stripped once serves both fingerprints: the result
  // fingerprint is the same object without `args` (ping-pong ignores arguments).
  const stripped = stripVolatile({ name: c.name, args: c.args, ...outcome }, volatile) as Record<string, unknown>;
  const { args: _args, ...withoutArgs } = stripped;
  const fp = { outcome: fingerprint(canonicalJson(stripped)), result: fingerprint(canonicalJson(withoutArgs)) };
  if (cacheable) {
    // Oldest out first: a plain insertion-order bound, cheaper than an LRU.
    if (fingerprintCache.size >= FINGERPRINT_CACHE_MAX) fingerprintCache.delete(fingerprintCache.keys().next().value!);
    fingerprintCache.set(key, fp);
  }
  return fp;
}

function level(count: number, warn: number, critical: number): 'warning' | 'critical' | null {
  if (count >= critical) return 'critical';
  if (count >= warn) return 'warning';
  return null;
}

/** The same tool with the same arguments returned the same result again. */
function noProgress(calls: Calls, last: number, t: LoopThresholds): LoopFinding[] {
  // A call whose tool ran fewer times than the lowest threshold cannot repeat often enough: its
  // outcome is not hashed (skipping it changes no count of a call that is).
  const floor = Math.min(t.noProgressWarn, t.noProgressCritical);
  const perGroup = new Map<string, number>();
  for (const e of calls.ended) perGroup.set(calls.group(e), (perGroup.get(calls.group(e)) ?? 0) + 1);
  const ended = calls.ended.filter((e) => (perGroup.get(calls.group(e)) ?? 0) >= floor);
  const counts = new Map<string, number>();
  for (const e of ended) counts.set(calls.fps(e).outcome, (counts.get(calls.fps(e).outcome) ?? 0) + 1);
  const out: LoopFinding[] = [];
  const seen = new Set<string>();
  for (const e of ended) {
    const outcome = calls.fps(e).outcome;
    if (e.turn !== last || seen.has(outcome)) continue;
    seen.add(outcome);
    const n = counts.get(outcome) ?? 0;
    const lv = level(n, t.noProgressWarn, t.noProgressCritical);
    if (lv) out.push({ detector: 'no_progress', level: lv, message: `${e.name} called ${n} times with the same arguments and the same result` });
  }
  return out;
}

/**
 * The model kept choosing the same tool, whatever the arguments. Counted in turns, not calls:
 * looking up three products in parallel is one decision, not three.
 */
function sameTool(history: readonly LoopTurn[], t: LoopThresholds): LoopFinding[] {
  const only = (h: LoopTurn | undefined): string | null => {
    const names = new Set((h?.calls ?? []).map((c) => c.name));
    if (!h || names.size !== 1 || h.answer !== undefined || (h.unknownTools?.length ?? 0) > 0) return null;
    return [...names][0] ?? null;
  };
  const name = only(history[history.length - 1]);
  if (name === null) return [];
  let run = 0;
  for (let i = history.length - 1; i >= 0 && only(history[i]) === name; i--) run++;
  const lv = level(run, t.sameToolWarn, t.sameToolCritical);
  return lv ? [{ detector: 'same_tool', level: lv, message: `${name} called in ${run} consecutive turns` }] : [];
}

/** A-B-A-B: two tools alternating while neither returns anything new. */
function pingPong(calls: Calls, last: number, t: LoopThresholds): LoopFinding[] {
  const { ended } = calls;
  const tail = ended.at(-1);
  const prev = ended.at(-2);
  if (!tail || !prev || tail.turn !== last || tail.name === prev.name) return [];
  let len = 2;
  for (let i = ended.length - 3; i >= 0; i--) {
    if (!calls.sameResult(ended[i]!, ended[i + 2]!)) break;
    len++;
  }
  const cycles = Math.floor(len / 2);
  const lv = level(cycles, t.pingPongCycles, t.pingPongCycles + 1);
  if (!lv) return [];
  return [{ detector: 'ping_pong', level: lv, message: `${prev.name} and ${tail.name} alternated ${cycles} times with no new results` }];
}

/** The model keeps calling tools that do not exist, across the whole query. */
function unknownTools(history: readonly LoopTurn[], latest: LoopTurn, t: LoopThresholds): LoopFinding[] {
  if ((latest.unknownTools?.length ?? 0) === 0) return [];
  const n = history.reduce((s, h) => s + (h.unknownTools?.length ?? 0), 0);
  const lv = level(n, t.unknownToolWarn, t.unknownToolCritical);
  return lv ? [{ detector: 'unknown_tool', level: lv, message: `${n} calls to unknown tools in this query` }] : [];
}

const normalizeAnswer = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

/** The same final answer proposed again (after the controller refused it once). */
function repeatedAnswer(history: readonly LoopTurn[], latest: LoopTurn, t: LoopThresholds): LoopFinding[] {
  if (latest.answer === undefined) return [];
  const a = normalizeAnswer(latest.answer);
  const n = history.filter((h) => h.answer !== undefined && normalizeAnswer(h.answer) === a).length;
  if (n < t.repeatedAnswerCritical) return [];
  return [{ detector: 'repeated_answer', level: 'critical', message: `the same answer was proposed ${n} times` }];
}

/** Circuit breaker on the number of tool calls of the query, pending calls included. */
function toolBudget(history: readonly LoopTurn[], opts: LoopOptions): LoopFinding[] {
  const max = opts.maxToolCalls ?? DEFAULTS.maxToolCallsPerQuery;
  const n = history.reduce((s, h) => s + (h.calls?.length ?? 0), 0);
  if (n > max) return [{ detector: 'tool_budget', level: 'critical', message: `${n} tool calls exceed the limit of ${max}` }];
  if (n >= Math.ceil(max * (opts.toolBudgetWarnRatio ?? 0.75))) {
    return [{ detector: 'tool_budget', level: 'warning', message: `${n} of ${max} tool calls used` }];
  }
  return [];
}
