export { transition, isTerminal, allowedEvents, endEventFor, QUERY_EVENTS, TERMINAL_STATES, type QueryEvent, type TransitionResult } from './state-machine.ts';
export { detectLoop } from './detect-loop.ts';
export { buildNudge } from './loop-nudge.ts';
export { stripVolatile, stableFingerprint, isVolatileKey } from './strip-volatile.ts';
export type { LoopCall, LoopTurn, LoopDetector, LoopLevel, LoopFinding, LoopVerdict, LoopOptions, LoopThresholds } from './loop-types.ts';
export { checkLimits, remainingMs, DEFAULT_LIMITS, type QueryUsage, type QueryLimits, type LimitReason } from './limits.ts';
export { isAffirmative } from './is-affirmative.ts';
export { confirmationKey, confirmationArgs } from './confirmation-key.ts';
export { fallbackFor, fallbackKey } from './fallback.ts';
