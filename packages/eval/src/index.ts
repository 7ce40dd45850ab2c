// @steward/eval: τ-bench-format tasks through the whole running pipeline (`steward eval`).
export { loadTasks, EvalTask, GoldAction, type IndexedTask, type TaskSelection } from './task.ts';
export { readShopData, type ShopData } from './shop-data.ts';
export { openReferenceShop, stateHash, type ReferenceShop } from './reference-state.ts';
export {
  planScript,
  describeWrite,
  WRITE_TOOLS,
  CONFIRM_QUESTION,
  type ScriptStep,
  type ScriptCall,
} from './script-plan.ts';
export {
  startScriptedModel,
  SCRIPTED_MODEL_NAME,
  type ScriptedModel,
  type MissingValue,
  type MissingCause,
  type ActionRecord,
} from './scripted-model.ts';
export { openingMessage, firstPerson, asksForConfirmation, scriptedReply } from './scripted-customer.ts';
export { envCustomer, STOP, type ChatEndpoint } from './env-customer.ts';
export { promptText, argumentValues, isPresent } from './value-presence.ts';
export { parseArguments } from './chat-request.ts';
export { readBody } from './read-body.ts';
export { runEval, type EvalOptions } from './run-eval.ts';
export {
  summarize,
  SCRIPTED_MODEL_LABEL,
  COST_REFERENCE_MODELS,
  type TaskReport,
  type EvalSummary,
} from './task-report.ts';
export { startRecordingProxy, type RecordingProxy } from './recording-proxy.ts';
export { missingValues, causeOf, type SeenPrompt } from './missing-values.ts';
