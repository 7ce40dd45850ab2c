export { startController, type ControllerOptions, type RunningController } from './service.ts';
export { DEFAULT_LIMITS, type StepDeps as ControllerDeps, type StepLimits as ControllerLimits } from '@steward/steps';
