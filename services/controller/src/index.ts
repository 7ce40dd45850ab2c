export { startController, DEFAULT_LIMITS, type ControllerOptions, type RunningController } from './service.ts';
export type { ControllerDeps, ControllerLimits } from './deps.ts';
