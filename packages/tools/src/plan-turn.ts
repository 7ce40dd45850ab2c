import type { ToolSpec } from './tool-spec.ts';
import type { ToolRegistry } from './registry.ts';
import { collectRefs } from './call-refs.ts';

// The calls of one turn form a DAG, and each call starts as soon as ITS dependencies end
// (not when the whole previous "layer" ends). Call j depends on call i (i ≠ j) when:
//   - declared: j's tool lists i's tool in `dependsOn` (e.g. a return needs the order lookup);
//   - ref: j's arguments reference i's result ("$call:<i>" or {"$ref": i}, see call-refs.ts);
//   - sequential: both are sequential (writes), i comes first and no sequential call lies
//     between them — writes of one conversation never overlap, and the model's order is kept.
// Independent calls get no edge and run in parallel.

export interface PlannedCallInput {
  name: string;
  arguments: Record<string, unknown>;
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
}

export interface TurnPlan {
  calls: PlannedCall[];
  edges: PlanEdge[];
  /** Calls with no dependencies: enqueue them at once. */
  roots: number[];
  /** An order in which every call comes after its dependencies (ties by index). */
  topologicalOrder: number[];
  /** The longest chain by summed latency (ms per call index) and its length. */
  criticalPath(latencies: readonly number[] | ((index: number, name: string) => number)): { path: number[]; totalMs: number };
}

export type TurnPlanResult = { ok: true; plan: TurnPlan } | { ok: false; error: string; cycle?: number[] };

export interface PlanOptions {
  /** Chain sequential calls in proposal order (default true). */
  serializeSequential?: boolean;
}

/** Writes and tools marked sequential never run concurrently with one another. */
export function isSequential(spec: ToolSpec): boolean {
  return spec.sequential ?? !spec.readOnly;
}

export function planTurn(registry: ToolRegistry, calls: readonly PlannedCallInput[], opts: PlanOptions = {}): TurnPlanResult {
  const specs: ToolSpec[] = [];
  for (const [i, c] of calls.entries()) {
    const spec = registry.get(c.name);
    if (!spec) return { ok: false, error: `call ${i}: unknown tool ${c.name}` };
    specs.push(spec);
  }

  const edges: PlanEdge[] = [];
  const seen = new Set<string>();
  const add = (from: number, to: number, reason: EdgeReason) => {
    const key = `${from}>${to}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ from, to, reason });
  };

  for (const [j, spec] of specs.entries()) {
    const deps = new Set(spec.dependsOn ?? []);
    for (const [i, c] of calls.entries()) if (i !== j && deps.has(c.name)) add(i, j, 'declared');
  }
  for (const [j, c] of calls.entries()) {
    for (const ref of collectRefs(c.arguments)) {
      if (ref.index === j) return { ok: false, error: `call ${j} (${c.name}) references its own result`, cycle: [j, j] };
      if (ref.index >= calls.length) {
        return { ok: false, error: `call ${j} (${c.name}) references call ${ref.index}, but the turn has ${calls.length} calls` };
      }
      add(ref.index, j, 'ref');
    }
  }
  if (opts.serializeSequential ?? true) {
    let prev = -1;
    for (const [j, spec] of specs.entries()) {
      if (!isSequential(spec)) continue;
      if (prev >= 0) add(prev, j, 'sequential');
      prev = j;
    }
  }

  const dependsOn = calls.map(() => new Set<number>());
  const dependents = calls.map(() => new Set<number>());
  for (const e of edges) {
    dependsOn[e.to]?.add(e.from);
    dependents[e.from]?.add(e.to);
  }
  const order = topoSort(calls.length, dependsOn, dependents);
  if (!order.ok) {
    const names = order.cycle.map((i) => `${i}:${calls[i]?.name}`).join(' -> ');
    return { ok: false, error: `the calls of this turn reference each other in a cycle: ${names}`, cycle: order.cycle };
  }

  const sorted = (s: Set<number> | undefined) => [...(s ?? [])].sort((a, b) => a - b);
  const planned: PlannedCall[] = calls.map((c, i) => ({ index: i, name: c.name, dependsOn: sorted(dependsOn[i]), dependents: sorted(dependents[i]) }));
  const topologicalOrder = order.order;
  return {
    ok: true,
    plan: {
      calls: planned,
      edges,
      roots: planned.filter((p) => p.dependsOn.length === 0).map((p) => p.index),
      topologicalOrder,
      criticalPath: (latencies) => criticalPath(planned, topologicalOrder, latencies),
    },
  };
}

/** Kahn's algorithm, smallest ready index first so the order is stable; a cycle is reported as a path. */
function topoSort(
  n: number,
  dependsOn: Set<number>[],
  dependents: Set<number>[],
): { ok: true; order: number[] } | { ok: false; cycle: number[] } {
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
