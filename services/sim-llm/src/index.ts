export { startSimLlm, SIM_MODEL_ENTRY, type SimLlm, type SimLlmOptions, type SimLlmStats } from './server.ts';
export { parseFaults, parseLatency, type FaultSpec, type LatencySpec, type FaultKind } from './options.ts';
export { MARKERS, LOOP_CALL, BAD_TOOL, TYPO_TOOL } from './policy/decide.ts';
export { parseConfirmationRequest } from './policy/confirmation.ts';
