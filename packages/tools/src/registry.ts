import { StewardError } from '@steward/core';
import type { ToolSpec } from './tool-spec.ts';
import { toProviderJsonSchema } from './provider-schema.ts';

/** A function tool in the shape of the OpenAI chat-completions `tools` array. */
export interface OpenAiTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** A registry that cannot be built is a programming error in the tool pack: never retry. */
export class ToolRegistryError extends StewardError {
  constructor(message: string, details?: unknown) {
    super('invalid_tool_registry', message, { kind: 'validation', retryable: false, details });
  }
}

/**
 * The tools one deployment offers, checked once at start-up so that every later lookup can
 * trust them: names are unique, declared dependencies exist and form no cycle, and only
 * read-only tools may be cached (a cached write would silently not happen).
 */
export class ToolRegistry {
  readonly #specs: ReadonlyMap<string, ToolSpec>;
  #openAi: OpenAiTool[] | undefined;

  constructor(specs: readonly ToolSpec[]) {
    const map = new Map<string, ToolSpec>();
    for (const spec of specs) {
      if (map.has(spec.name)) throw new ToolRegistryError(`Duplicate tool name: ${spec.name}`);
      map.set(spec.name, spec);
    }
    for (const spec of specs) {
      for (const dep of spec.dependsOn ?? []) {
        if (!map.has(dep)) throw new ToolRegistryError(`Tool ${spec.name} depends on unknown tool ${dep}`);
      }
      if (spec.cacheTtlSec !== undefined && !spec.readOnly) {
        throw new ToolRegistryError(`Tool ${spec.name} has cacheTtlSec but is not read-only: writes must never be cached`);
      }
    }
    const cycle = findDependencyCycle(map);
    if (cycle) throw new ToolRegistryError(`Dependency cycle among tools: ${cycle.join(' -> ')}`, { cycle });
    this.#specs = map;
  }

  get(name: string): ToolSpec | undefined {
    return this.#specs.get(name);
  }

  has(name: string): boolean {
    return this.#specs.has(name);
  }

  /** Specs in registration order. */
  list(): ToolSpec[] {
    return [...this.#specs.values()];
  }

  names(): string[] {
    return [...this.#specs.keys()];
  }

  /** Function-tool definitions for the LLM request; computed once, the specs never change. */
  toOpenAiTools(): OpenAiTool[] {
    this.#openAi ??= this.list().map((spec) => ({
      type: 'function' as const,
      function: { name: spec.name, description: spec.description, parameters: toProviderJsonSchema(spec.parameters) },
    }));
    return this.#openAi;
  }
}

/** A cycle as a closed path of names (a -> b -> a), or null. Depth-first with colouring. */
function findDependencyCycle(specs: ReadonlyMap<string, ToolSpec>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    const s = state.get(name);
    if (s === 'done') return null;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of specs.get(name)?.dependsOn ?? []) {
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return null;
  };
  for (const name of specs.keys()) {
    const found = visit(name);
    if (found) return found;
  }
  return null;
}
