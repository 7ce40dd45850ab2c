export { startReasoningWorker, type ReasoningWorkerOptions, type RunningReasoningWorker } from './service.ts';
export type { LlmPort } from './llm-port.ts';
export { systemPrompt, POLICY } from './system-prompt.ts';
export { toProposal } from './to-proposal.ts';
export { selectTools } from './select-tools.ts';
export { reasoningBudget, turnInput, type TurnContext } from './turn-input.ts';
export { promptMemory } from './prompt-memory.ts';
