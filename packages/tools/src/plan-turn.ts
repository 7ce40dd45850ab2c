import type { ToolSpec } from './tool-spec.ts';
import type { ToolRegistry } from './registry.ts';
import { collectRefs } from './call-refs.ts';

// The calls of one turn form a DAG, and each call starts as soon as ITS dependencies end
// (not when the whole previous "layer" ends). Call j depends on call i (i ≠ j) when:
//   - declared: j's tool lists i's tool in `dependsOn` (e.g. a return needs the order lookup);
//   - ref: j's arguments reference i's result ("$call:<i>" or {"$ref": i}, see call-refs.ts);
//   - sequential: both are sequential (writes) and i is the one just before j in the turn's
//     order (proposal order unless other edges say otherwise) — writes never overlap.
// Independent calls get no edge and run in parallel. Calls that arrived with an error are
// planned as skipped (see PlannedCall.skip) so that indexes stay those the model wrote.

export interface PlannedCallInput {
  name: string;
  arguments: Record<string, unknown>;
  /** Set when the call cannot run (unknown tool, invalid arguments): it is planned as skipped. */
  error?: string;
}

export type EdgeReason = 'declared' | 'ref' | 'sequential';

export interface PlanEdge {
  from: number;
  to: number;
  reason: EdgeReason;
}

export interface PlannedCall {
  index: number;
  name: string;
  /** Calls that must end before this one starts, ascending. */
  dependsOn: number[];
  /** Calls waiting on this one, ascending. */
  dependents: number[];
  /**
   * Why this call must not run, when it must not: its own error, or a reference to the result
   * of a call that does not run. The executor records it as the call's observation at once.
   * A skipped call has no edges, so nothing waits for it.
   */
  skip?: string;
}

export interface TurnPlan {
  calls: PlannedCall[];
  edges: PlanEdge[];
  /** Calls to enqueue at once: runnable, with no dependencies. */
  roots: number[];
  /** An order in which every call comes after its dependencies (ties by index). */
  topologicalOrder: number[];
  /** The longest chain by summed latency (ms per call index) and its length. */
  criticalPath(latencies: readonly number[] | ((index: number, name: string) => number)): { path: number[]; totalMs: number };
}

export type TurnPlanResult = { ok: true; plan: TurnPlan } | { ok: false; error: string; cycle?: number[] };

export interface PlanOptions {
  /** Chain sequential calls so they never overlap (default true). */
  serializeSequential?: boolean;
}

/** Writes and tools marked sequential never run concurrently with one another. */
export function isSequential(spec: ToolSpec): boolean {
  return spec.sequential ?? !spec.readOnly;
}

export function planTurn(registry: ToolRegistry, calls: readonly PlannedCallInput[], opts: PlanOptions = {}): TurnPlanResult {
  const n = calls.length;
  const specs: (ToolSpec | undefined)[] = [];
  for (const [i, c] of calls.entries()) {
    const spec = registry.get(c.name);
    if (!spec && c.error === undefined) return { ok: false, error: `call ${i}: unknown tool ${c.name}` };
    specs.push(spec);
  }
  const failed = (i: number) => calls[i]?.error !== undefined;

  // 1. Declared and reference edges; a call in error ends at once, so nothing waits for it
  //    by declaration (a reference to it still needs its result: handled in step 3).
  const edges: PlanEdge[] = [];
  const add = (from: number, to: number, reason: EdgeReason) => {
    if (!edges.some((e) => e.from === from && e.to === to)) edges.push({ from, to, reason });
  };
  for (const [j, spec] of specs.entries()) {
    if (!spec || failed(j)) continue;
    const deps = new Set(spec.dependsOn ?? []);
    for (const [i, c] of calls.entries()) if (i !== j && !failed(i) && deps.has(c.name)) add(i, j, 'declared');
  }
  for (const [j, c] of calls.entries()) {
    if (failed(j)) continue;
    for (const ref of collectRefs(c.arguments)) {
      if (ref.index === j) return { ok: false, error: `call ${j} (${c.name}) references its own result`, cycle: [j, j] };
      if (ref.index >= n) return { ok: false, error: `call ${j} (${c.name}) references call ${ref.index}, but the turn has ${n} calls` };
      add(ref.index, j, 'ref');
    }
  }

  // 2. Cycles can only come from explicit references (the registry refuses declared cycles).
  const first = topoSort(n, edges);
  if (!first.ok) {
    const names = first.cycle.map((i) => `${i}:${calls[i]?.name}`).join(' -> ');
    return { ok: false, error: `the calls of this turn reference each other in a cycle: ${names}`, cycle: first.cycle };
  }

  // 3. A call that needs the result of a call that does not run cannot run either.
  const skip = new Map<number, string>();
  for (const i of first.order) {
    const own = calls[i]?.error;
    if (own !== undefined) {
      skip.set(i, own);
      continue;
    }
    const blocked = edges.find((e) => e.to === i && e.reason === 'ref' && skip.has(e.from));
    if (blocked) skip.set(i, `not run: it needs the result of call ${blocked.from} (${calls[blocked.from]?.name}), which did not run`);
  }
  const live = edges.filter((e) => !skip.has(e.from) && !skip.has(e.to));

  // 4. Sequential calls (writes) in a chain, following the order found above so that the
  //    chain agrees with every other edge and cannot close a cycle.
  if (opts.serializeSequential ?? true) {
    let prev = -1;
    for (const i of first.order) {
      const spec = specs[i];
      if (!spec || skip.has(i) || !isSequential(spec)) continue;
      if (prev >= 0 && !live.some((e) => e.from === prev && e.to === i)) live.push({ from: prev, to: i, reason: 'sequential' });
      prev = i;
    }
  }

  const final = topoSort(n, live);
  if (!final.ok) return { ok: false, error: 'internal: sequential chain closed a cycle', cycle: final.cycle };
  const planned: PlannedCall[] = calls.map((c, i) => {
    const p: PlannedCall = {
      index: i,
      name: c.name,
      dependsOn: live.filter((e) => e.to === i).map((e) => e.from).sort((a, b) => a - b),
      dependents: live.filter((e) => e.from === i).map((e) => e.to).sort((a, b) => a - b),
    };
    const why = skip.get(i);
    if (why !== undefined) p.skip = why;
    return p;
  });
  const order = final.order;
  return {
    ok: true,
    plan: {
      calls: planned,
      edges: live,
      roots: planned.filter((p) => p.dependsOn.length === 0 && p.skip === undefined).map((p) => p.index),
      topologicalOrder: order,
      criticalPath: (latencies) => criticalPath(planned, order, latencies),
    },
  };
}

/** Kahn's algorithm, smallest ready index first so the order is stable; a cycle is reported as a path. */
function topoSort(n: number, edges: readonly PlanEdge[]): { ok: true; order: number[] } | { ok: false; cycle: number[] } {
  const dependsOn = Array.from({ length: n }, () => new Set<number>());
  const dependents = Array.from({ length: n }, () => new Set<number>());
  for (const e of edges) {
    dependsOn[e.to]?.add(e.from);
    dependents[e.from]?.add(e.to);
  }
  const indeg = dependsOn.map((s) => s.size);
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) ready.push(i);
  const order: number[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const i = ready.shift() as number;
    order.push(i);
    for (const d of dependents[i] ?? []) {
      indeg[d] = (indeg[d] ?? 0) - 1;
      if (indeg[d] === 0) ready.push(d);
    }
  }
  if (order.length === n) return { ok: true, order };
  // Walk back along unfinished dependencies until a node repeats: that loop is the cycle.
  const done = new Set(order);
  let cur = [...Array(n).keys()].find((i) => !done.has(i)) ?? 0;
  const path: number[] = [];
  while (!path.includes(cur)) {
    path.push(cur);
    cur = [...(dependsOn[cur] ?? [])].find((d) => !done.has(d)) ?? cur;
  }
  // Reverse to execution direction (from → to), then start at the smallest index for a stable message.
  const cycle = path.slice(path.indexOf(cur)).reverse();
  const start = cycle.indexOf(Math.min(...cycle));
  const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
  return { ok: false, cycle: [...rotated, rotated[0] ?? cur] };
}

function criticalPath(
  calls: readonly PlannedCall[],
  order: readonly number[],
  latencies: readonly number[] | ((index: number, name: string) => number),
): { path: number[]; totalMs: number } {
  const lat = (i: number) => (typeof latencies === 'function' ? latencies(i, calls[i]?.name ?? '') : (latencies[i] ?? 0));
  const finish = new Array<number>(calls.length).fill(0);
  const via = new Array<number>(calls.length).fill(-1);
  for (const i of order) {
    let start = 0;
    for (const d of calls[i]?.dependsOn ?? []) {
      if ((finish[d] ?? 0) > start) {
        start = finish[d] ?? 0;
        via[i] = d;
      }
    }
    finish[i] = start + lat(i);
  }
  let end = -1;
  let totalMs = 0;
  for (const i of order) {
    if (end < 0 || (finish[i] ?? 0) > totalMs) {
      end = i;
      totalMs = finish[i] ?? 0;
    }
  }
  const path: number[] = [];
  for (let i = end; i >= 0; i = via[i] ?? -1) path.unshift(i);
  return { path, totalMs };
}
