export { ShopEngine, type ShopEngineOptions, type LoadInput } from './engine/engine.ts';
export type * from './engine/types.ts';
export { commerceTools, COMMERCE_TOOL_NAMES } from './tool-specs.ts';
export { P as COMMERCE_TOOL_PARAMS, type ToolName as CommerceToolName } from './tools/params.ts';
export { invokeTool, UnknownToolError, type InvokeContext } from './tools/invoke.ts';
export { calculate } from './calculate.ts';
export { pyDumps, parsePy, PyFloat, pyFloatRepr, pyRound2 } from './py-json.ts';
