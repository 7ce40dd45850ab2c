// A query's steps — load, the kernel's pure transition, apply — as run by whichever role holds
// the step's input: the controller (its control queue, the deadline, the sweeper) and the
// workers that take the step where the input arrives.
export { applyTransition, rulesOf } from './apply.ts';
export { completeQuery, rootSpanIdOf } from './complete.ts';
export { costRecordOf, decideWhereProposed, handleDecide, needsConfirmationReads, type ProposalInput } from './decide.ts';
export { handleObserve, observeBeforeRecord, type ObserveStep } from './observe.ts';
export { optimisticStep, optimisticCommitted, type OptimisticStep } from './optimistic.ts';
export { handleDeadline, endAtDeadline } from './deadline.ts';
export { decision } from './decision.ts';
export { foldToolResults, withMemory } from './remember.ts';
export { CONFIRMATION_LOOKBACK, loadConfirmationSnapshot, StoredPendingConfirmation, type ConfirmationReads } from './confirmation-snapshot.ts';
export { fallbackFor, foldSummary } from './policy.ts';
export { DEFAULT_LIMITS, stepDeps, type StepDeps, type StepLimits, type StepRules } from './deps.ts';
