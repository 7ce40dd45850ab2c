// @steward/sim-llm: an offline, deterministic OpenAI-compatible chat-completions server that
// plays a rule-based customer-service policy model. A test double for the demo, tests and
// benchmarks — not AI. Real deployments point OPENAI_BASE_URL at a real provider.
export { startSimLlm, SIM_MODEL_ENTRY, type SimLlm, type SimLlmOptions, type SimLlmStats } from './server.ts';
export { parseFaults, parseLatency, type FaultSpec, type LatencySpec, type FaultKind } from './options.ts';
export { MARKERS, LOOP_CALL, BAD_TOOL, TYPO_TOOL } from './policy/decide.ts';
export { parseConfirmationRequest } from './policy/confirmation.ts';
