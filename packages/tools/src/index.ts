export type { ToolSpec, ToolRunContext, LocalToolFn } from './tool-spec.ts';
export { ToolRegistry, ToolRegistryError, type OpenAiTool } from './registry.ts';
export { toProviderJsonSchema } from './provider-schema.ts';
export { normalizeToolName, nameSimilarity, levenshtein } from './similarity.ts';
export { resolveToolName, REPAIR_SIMILARITY, type NameResolution } from './resolve-name.ts';
export { resolveCall, validateArgs, type ResolvedCall, type ValidatedArgs, type CallErrorCode } from './resolve-call.ts';
export { coerceValue, coerceObject, type CoerceReport } from './coerce-args.ts';
export { parseRef, collectRefs, resolveRefs, CallRefError, type CallRef } from './call-refs.ts';
export {
  planTurn,
  isSequential,
  type PlannedCallInput,
  type PlannedCall,
  type PlanEdge,
  type EdgeReason,
  type TurnPlan,
  type TurnPlanResult,
  type PlanOptions,
} from './plan-turn.ts';
