export { startSystem, type SystemOptions, type RunningSystem } from './start-system.ts';
