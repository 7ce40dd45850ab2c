// The lifecycle kernel's pure transitions: one function per input, each (snapshot, input, rules)
// → Transition, driven by the state table. The services only load, call one of these and apply.
export type { CallResult, ToolErrorType, PlannedCall } from './call-result.ts';
export { jobSpec, hasEnded, runsTools, type Transition, type QuerySnapshot, type KernelLimits, type KernelRules, type JobSpec, type Decision, type Completion } from './transition.ts';
export { endWith, completionJobs } from './end-with.ts';
export { trippedLimit } from './query-limits.ts';
export { planCalls, isGuarded, customerMessageOf, type ConfirmationSnapshot } from './plan-calls.ts';
export { loopTurn } from './loop-history.ts';
export { onProposal, awaitsProposal, type ProposalSnapshot } from './on-proposal.ts';
export { onTurnDone, turnEnded, awaitsObservation, type TurnSnapshot } from './on-turn-done.ts';
export { onToolResult } from './on-tool-result.ts';
export { onDeadline } from './on-deadline.ts';
export { onStart, onAcceptedMessage, onMessageDuringRun, type Acceptance } from './on-customer-message.ts';
